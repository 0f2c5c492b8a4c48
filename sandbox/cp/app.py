"""The two Starlette apps of the CP, composed from the routes each feature module declares (contract §0.1, §1).

- admin listener (stands for Traefik's admin routes): the CP routes under `/admin/api`,
  `/.well-known/jwks.json` at the root, and the Admin UI under `/admin/` when it exists;
- WL-facing listener (TLS that requires a CA-signed client certificate): the CP routes at `/`.

The route table does not depend on the order of the modules: static path segments sort before
parameters (`/users/me` before `/users/{id}`), and two routes that could match the same request without
one being more specific than the other are refused when the table is built.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..inputs import InputGuard
from ..personality import current as current_personality
from . import (
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
    white_labels,
)
from .dispatch import endpoint
from .web import RouteDef, json_response

ADMIN_UI_DIR = Path(__file__).resolve().parent.parent / "admin_ui"
FEATURES = (approvals, auth, imbalance, notifications, policies, relationships, reports, snapshots, telemetry,
            tokens, traders, trades, users, white_labels)
JWKS_PATH = "/.well-known/jwks.json"


def _segments(path: str) -> list[str | None]:
    """The path's segments, None for a parameter."""
    return [None if part.startswith("{") else part for part in path.strip("/").split("/")]


def _specificity(definition: RouteDef) -> tuple:
    """Sort key: literal segments before parameters, segment by segment."""
    return tuple((1, "") if s is None else (0, s) for s in _segments(definition.path)), definition.method


def _overlap(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def _covers(general: list, specific: list) -> bool:
    return all(g is None or g == s for g, s in zip(general, specific, strict=True))


def route_table(modules: Iterable = FEATURES) -> list[RouteDef]:
    """Every declared route, most specific first; ValueError on a duplicate or an ambiguous pair."""
    table = sorted((d for module in modules for d in module.ROUTES), key=_specificity)
    for i, a in enumerate(table):
        for b in table[i + 1:]:
            sa, sb = _segments(a.path), _segments(b.path)
            if a.method != b.method or not _overlap(sa, sb):
                continue
            if sa == sb or not _covers(sb, sa):
                raise ValueError(f"ambiguous CP routes: {a.method} {a.path} and {b.method} {b.path}")
    return table


def _routes(table: list[RouteDef], prefix: str, listener: str) -> list[Route]:
    return [Route(prefix + d.path, endpoint(d, listener), methods=[d.method]) for d in table]


async def _not_found(request, exc):
    # Unmapped URLs (and wrong methods): the real CP renders an HTML 404 page; here a JSON 404.
    status = 404 if exc.status_code in (404, 405) else exc.status_code
    return json_response({"error": "Not Found" if status == 404 else str(exc.detail)}, status)


async def _labels_js(request):
    """The Admin UI's labels in this personality (sandbox/personality.py); personality a sends none."""
    return Response(current_personality().labels_js(), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


def build_apps() -> tuple[Starlette, Starlette]:
    table = route_table()
    handlers = {HTTPException: _not_found}
    jwks = [d for d in table if d.path == JWKS_PATH]
    admin_routes: list = _routes(table, "/admin/api", "admin") + _routes(jwks, "", "admin")
    if (ADMIN_UI_DIR / "index.html").is_file():
        admin_routes.append(Route("/admin/labels.js", _labels_js, methods=["GET"]))
        admin_routes.append(Mount("/admin", app=StaticFiles(directory=str(ADMIN_UI_DIR), html=True),
                                  name="admin-ui"))
    wl_routes = _routes(table, "", "wl")
    admin = Starlette(routes=admin_routes, exception_handlers=handlers, middleware=_guard(admin_routes))
    wl = Starlette(routes=wl_routes, exception_handlers=handlers, middleware=_guard(wl_routes))
    return admin, wl


def _refusal(scope: dict, status: int, message: str):
    return json_response({"error": message}, status)


def _guard(routes: list) -> list[Middleware]:
    """The input layer (`sandbox.inputs`) in front of the router: size, disconnects, NUL in path and query."""
    return [Middleware(InputGuard, render=_refusal, routes=routes)]
