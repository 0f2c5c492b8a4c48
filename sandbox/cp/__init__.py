"""The sandbox Control Plane (contract: ../shared/contracts/cp.md).

Each feature module declares its routes (`ROUTES`); `app.py` composes them into one table, most
specific path first, and mounts it twice: under `/admin/api` on the admin listener (Traefik's stripped
prefix) and at `/` on the WL-facing listener (TLS with a required client certificate). The modules are
layered one way (`.importlinter`, contract `sandbox-cp-layers`): `web`/`events` at the bottom, the
telemetry ingest, which projects trades and raises notifications, near the top.
"""
