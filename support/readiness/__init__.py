"""Readiness: before the first scenario, the stack map is checked against the live stack with read-only
probes, one readiness table is printed per feature (pronto / desconhecido / divergente), and every
scenario that needs an entry that is not ready is skipped as not proven, naming the entry.

- `observe`: the read-only calls (information_schema, the exporter's export, the exporter's pending list
  with a fresh peer token, a WL's refusal, the Admin UI's and the storefront's pages), what they saw;
- `judge`: from what was seen, each entry's readiness (pure; the capture command infers from the same);
- `ui_probe`: the pages, in the run's browser (ARIA roles and names, as Playwright sees them);
- `report`: the tables;
- `plan`: the run's plan (each selected scenario's needs) and the hooks' calls.
"""
