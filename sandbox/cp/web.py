"""The little web layer every CP module uses: route declarations, the request object handed to
handlers, JSON rendering, error answers and the names of the guards of contract §2.

Each feature module declares its own `ROUTES = Routes()`; `app.py` composes them (the order of the
modules does not matter) and `dispatch.py` runs a handler behind its guard. Handlers are plain
synchronous functions `handler(req) -> Response | dict`; they run in the threadpool.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from ..inputs import INT32_MAX, INT32_MIN, BadInput, bounded_int, safe_json, strict_json
from . import dates

# Guards (contract §2): NONE, CERT (AdminAuthInterceptor), BEARER (admin JWT), BEARER_MM (MASTER/MANAGER).
NONE, CERT, BEARER, BEARER_MM = "NONE", "CERT", "BEARER", "BEARER_MM"


@dataclass
class RouteDef:
    method: str
    path: str
    handler: Callable
    guard: str


class Routes(list):
    """The routes one module declares: `ROUTES = Routes()`, then `@ROUTES.add("GET", "/path", CERT)`."""

    def add(self, method: str, path: str, guard: str = NONE):
        def declare(fn: Callable) -> Callable:
            self.append(RouteDef(method, path, fn, guard))
            return fn
        return declare


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
    return Response(safe_json(body, default=_default), status_code=status, headers=headers,
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
        """The parsed JSON body (None when the body is empty); 400 when it is not JSON or holds a value no
        column can take (the input layer, `sandbox.inputs.strict_json`)."""
        if self._json is ...:
            text = self.raw_body.decode("utf-8", "replace").strip()
            if not text:
                self._json = None
            else:
                try:
                    self._json = strict_json(text)
                except BadInput as exc:
                    raise ApiError(exc.status, exc.message) from None
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
        """Grails `params.int(name)`: None/default when absent or not a Java Integer (32 bits)."""
        value = self.query.get(name)
        if value in (None, ""):
            return default
        number = bounded_int(value, INT32_MIN, INT32_MAX)
        return default if number is None else number


def page(req: Req, default: int, maximum: int, zero_means_default: bool = True) -> tuple[int, int]:
    limit = req.qint("limit", default)
    if limit is None or (limit <= 0 and zero_means_default):
        limit = default
    limit = max(1, min(limit, maximum))
    offset = max(0, req.qint("offset", 0) or 0)
    return limit, offset
