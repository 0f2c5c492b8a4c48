"""The reset runbook (`reset-environment.md`, steps 1–6), by concern:

- `tables`: the tables the runbook's steps 1 and 2 truncate (and the five step 1 misses);
- `runbook_steps`: each runbook step as a business operation on a Session (what its curl/psql lines do);
- `state`: `ResetState`, what the suite knows of the stack's state during the run;
- `phases`: the reset as ordered phases, so each scenario's "Dado" brings the stack to the state it needs;
- `previous_run`: traces of a previous run, for the cleanup scenarios.

Read-only queries on the stack live in `support.queries`.
"""
