"""The WL node of the sandbox: one code base for the exporter (`wl-01`) and the importer (`wl-03`).

`python -m sandbox.wl exporter|importer` serves the role's HTTP API (and, for the importer, the
storefront on a second listener). See `sandbox/DECISIONS.md` (## WL) for the choices where the
contract (`shared/contracts/wl.md`) is silent.
"""
