"""The two Starlette apps of the CP, built from the one shared route table (contract §0.1, §1).

- admin listener (stands for Traefik's admin routes): the CP routes under `/admin/api`,
  `/.well-known/jwks.json` at the root, and the Admin UI under `/admin/` when it exists;
- WL-facing listener (TLS that requires a CA-signed client certificate): the CP routes at `/`.
"""
from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount, Route

# Importing the feature modules registers their routes in web.ROUTES (order matters for
# overlapping paths: /users/me before /users/{id}).
from . import (  # noqa: F401
    approvals,
    auth,
    imbalance,
    notifications,
    policies,
    relationships,
    reports,
    snapshots,
    telemetry,
    tokens,
    traders,
    trades,
    users,
    web,
    white_labels,
)

ADMIN_UI_DIR = Path(__file__).resolve().parent.parent / "admin_ui"


def _routes(prefix: str, listener: str) -> list[Route]:
    return [Route(prefix + d.path, web.endpoint(d, listener), methods=[d.method]) for d in web.ROUTES]


async def _not_found(request, exc):
    # Unmapped URLs (and wrong methods): the real CP renders an HTML 404 page; here a JSON 404.
    status = 404 if exc.status_code in (404, 405) else exc.status_code
    return web.json_response({"error": "Not Found" if status == 404 else str(exc.detail)}, status)


def _jwks_route(listener: str) -> Route:
    definition = next(d for d in web.ROUTES if d.path == "/.well-known/jwks.json")
    return Route("/.well-known/jwks.json", web.endpoint(definition, listener), methods=["GET"])


def build_apps() -> tuple[Starlette, Starlette]:
    handlers = {HTTPException: _not_found}
    admin_routes: list = _routes("/admin/api", "admin") + [_jwks_route("admin")]
    if (ADMIN_UI_DIR / "index.html").is_file():
        from starlette.staticfiles import StaticFiles
        admin_routes.append(Mount("/admin", app=StaticFiles(directory=str(ADMIN_UI_DIR), html=True),
                                  name="admin-ui"))
    admin = Starlette(routes=admin_routes, exception_handlers=handlers)
    wl = Starlette(routes=_routes("", "wl"), exception_handlers=handlers)
    return admin, wl
