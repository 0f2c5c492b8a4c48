"""What the steps keep on behave's `context` — the one documented place.

Hooks and steps only ever set `context.session` (run-long) and `context.world` (one per scenario);
nothing else is stored on `context`. On a failing scenario the hooks attach `World.dump()` (masked).

| attribute | type | meaning |
|---|---|---|
| `context.session` | `support.session.Session` | config, stack controller, clients, databases, HTTP log (whole run) |
| `context.world` | `World` | the scenario's state, below |
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

import httpx


@dataclass
class World:
    # the last HTTP response a "Quando" produced, for the "Então" that checks it
    response: httpx.Response | None = None
    # peer token minted over mTLS (importer → exporter) and its decoded claims
    peer_token: str | None = None
    peer_claims: dict = field(default_factory=dict)
    # WLs recreated in the reset: [support.runbook.Recreated]
    recreated: list = field(default_factory=list)
    # snapshots read back from the CP: category and entity items
    categories: list = field(default_factory=list)
    entities: list = field(default_factory=list)
    # export_policy applied to exporter → importer, and how it reached the exporter ("poll"/"sql")
    policy: dict | None = None
    policy_path: str | None = None
    # exporter total for the current policy, and the total predicted from the CP snapshots
    exporter_total: int | None = None
    predicted_total: int | None = None
    # body of the importer's debug import
    import_result: dict | None = None
    # CP row counts observed before a cleanup (table -> count)
    counts_before: dict = field(default_factory=dict)
    # purchases made in the scenario: list of buy-offer answers (dicts)
    purchases: list = field(default_factory=list)
    # balances observed before an action: name -> value
    balances: dict = field(default_factory=dict)
    # free-form values a feature needs between its steps (documented where set)
    notes: dict = field(default_factory=dict)
    # @ui scenarios: support.ui.browser.UiScenario — this scenario's browser context and page (traced)
    # and its page objects (.storefront, .admin); set in before_scenario, closed in after_scenario.
    # The browser itself lives for the whole run in session.extra_clients (closed with the session).
    ui: Any = None

    def dump(self, masker) -> str:
        def plain(value: Any) -> Any:  # at any depth, so the masker sees every key
            if isinstance(value, httpx.Response):
                return f"{value.request.method} {value.request.url} -> {value.status_code}"
            if is_dataclass(value) and not isinstance(value, type):
                return plain(asdict(value))
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            return value

        data = {name: plain(value) for name, value in vars(self).items() if value not in (None, [], {})}
        return masker.text(json.dumps(masker.data(data), ensure_ascii=False, indent=2, default=str))
