"""The little web layer every CP module uses: the route table, the request object handed to
handlers, JSON rendering, error answers and the two guards of contract §2 (CERT and BEARER).

Handlers are plain synchronous functions `handler(req) -> Response | dict`; they run in the
threadpool. `ApiError` becomes a JSON error answer; any other exception a JSON 500.
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import dates

log = logging.getLogger("sandbox.cp")

# Guards (contract §2): NONE, CERT (AdminAuthInterceptor), BEARER (admin JWT), BEARER_MM (MASTER/MANAGER).
NONE, CERT, BEARER, BEARER_MM = "NONE", "CERT", "BEARER", "BEARER_MM"


@dataclass
class RouteDef:
    method: str
    path: str
    handler: Callable
    guard: str


ROUTES: list[RouteDef] = []


def route(method: str, path: str, guard: str = NONE):
    """Register a handler in the shared CP route table."""
    def register(fn: Callable) -> Callable:
        ROUTES.append(RouteDef(method, path, fn, guard))
        return fn
    return register


class ApiError(Exception):
    """An answer other than success: status + `{"error": message}` (or a given body; None = empty)."""

    def __init__(self, status: int, message: str | None = None, body: Any = ..., headers: dict | None = None):
        super().__init__(message or str(status))
        self.status = status
        self.body = {"error": message} if body is ... else body
        self.headers = headers or {}


def not_found_empty() -> ApiError:
    """The real CP's `404` with an empty body."""
    return ApiError(404, body=None)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return dates.iso(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


def to_plain(value: Any) -> Any:
    """The value exactly as a client will parse it from our JSON (dates → strings, Decimals → numbers)."""
    return json.loads(dumps(value))


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    if body is None:
        return Response(b"", status_code=status, headers=headers)
    return Response(dumps(body).encode(), status_code=status, headers=headers,
                    media_type="application/json;charset=UTF-8")


@dataclass
class Req:
    """What a handler sees of the HTTP request."""
    method: str
    path_params: dict
    query: dict            # first value of each query parameter
    headers: dict          # lower-case names
    raw_body: bytes
    listener: str          # "admin" or "wl"
    state: dict = field(default_factory=dict)
    _json: Any = field(default=..., repr=False)

    def json(self) -> Any:
        """The parsed JSON body (None when the body is empty); 400 when it is not JSON."""
        if self._json is ...:
            text = self.raw_body.decode("utf-8", "replace").strip()
            if not text:
                self._json = None
            else:
                try:
                    self._json = json.loads(text)
                except ValueError as exc:
                    raise ApiError(400, f"Request body is not valid JSON: {exc}") from None
        return self._json

    def obj(self) -> dict:
        """The JSON body as an object ({} when empty or not an object)."""
        body = self.json()
        return body if isinstance(body, dict) else {}

    def header(self, name: str) -> str | None:
        value = self.headers.get(name.lower())
        return value if value not in (None, "") else None

    def q(self, *names: str) -> str | None:
        for name in names:
            value = self.query.get(name)
            if value not in (None, ""):
                return value
        return None

    def qint(self, name: str, default: int | None = None) -> int | None:
        """Grails `params.int(name)`: None/default when absent or not an integer."""
        value = self.query.get(name)
        try:
            return int(value) if value not in (None, "") else default
        except ValueError:
            return default


def page(req: Req, default: int, maximum: int, zero_means_default: bool = True) -> tuple[int, int]:
    limit = req.qint("limit", default)
    if limit is None or (limit <= 0 and zero_means_default):
        limit = default
    limit = max(1, min(limit, maximum))
    offset = max(0, req.qint("offset", 0) or 0)
    return limit, offset


def _check_guard(guard: str, req: Req) -> None:
    if guard == CERT:
        # AdminAuthInterceptor (§2.1). Both listeners stand for Traefik: the WL-facing one has
        # already verified a CA-signed client certificate at the transport level (allowlists are
        # empty by default), and on the admin one Traefik forces `X-Client-Id: proxy-mtls`, which is
        # the allowlisted header subject. Either way the request passes; the admin bearer is ignored.
        return
    if guard in (BEARER, BEARER_MM):
        from .auth import require_admin
        require_admin(req, managers_only=guard == BEARER_MM)


def endpoint(definition: RouteDef, listener: str) -> Callable:
    """The Starlette endpoint wrapping one handler for one listener."""
    from starlette.concurrency import run_in_threadpool

    async def handle(request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        # Traefik's admin-api and cp routers replace any client value of X-Client-Id (§0.1).
        headers["x-client-id"] = "proxy-mtls"
        req = Req(request.method, dict(request.path_params),
                  dict(request.query_params.items()), headers, body, listener)
        correlation = headers.get("x-correlation-id") or str(uuid.uuid4())
        req.state["correlation_id"] = correlation
        try:
            response = await run_in_threadpool(_call, definition, req)
        except ApiError as err:
            response = json_response(err.body, err.status, err.headers)
        except Exception as exc:  # never a traceback page
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = json_response({"error": f"Internal server error: {type(exc).__name__}: {exc}"}, 500)
        response.headers["X-Correlation-Id"] = correlation
        return response

    return handle


def _call(definition: RouteDef, req: Req) -> Response:
    _check_guard(definition.guard, req)
    result = definition.handler(req)
    if isinstance(result, Response):
        return result
    return json_response(result)
