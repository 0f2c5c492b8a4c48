"""The sandbox Control Plane (contract: ../shared/contracts/cp.md).

Two listeners share one route table (`routes.py` collects it from the feature modules):
the admin listener mounts it under `/admin/api` (Traefik's stripped prefix), the WL-facing
listener (TLS with a required client certificate) mounts it at `/`.
"""
