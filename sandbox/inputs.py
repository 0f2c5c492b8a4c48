"""The input layer of every sandbox process (CP and WL nodes, storefront included): what no handler ever sees.

`InputGuard` wraps a Starlette app. Before routing it refuses
- a body larger than `MAX_BODY_BYTES` (413), and stops quietly when the client disconnects mid-body;
- a NUL character in the URL path (naming the path parameter it falls in) or in a query parameter (naming it).
`strict_json` is the one JSON body parser: deep nesting, NaN/Infinity (or a number too big for a double),
NUL characters, lone surrogates and integers beyond 64 bits are refused, naming the field (`events[0].payload.x`).
`safe_json` renders any answer, even one that echoes bad input, as valid UTF-8 JSON.

PostgreSQL cannot store NUL in text, jsonb rejects NaN, lone surrogates and `\\u0000`, and bigint ends at 2^63:
values refused here can never reach a column or break a later read."""
from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.routing import Match

MAX_BODY_BYTES = 1 << 20
MAX_DEPTH = 32
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


class BadInput(ValueError):
    """Bad input, refused with `status` and a message that names the field."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def text_problem(name: str, value: str) -> str | None:
    if "\x00" in value:
        return f"{name} must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{name} is not valid Unicode (lone surrogate)"
    return None


def check_text(name: str, value: str) -> str:
    problem = text_problem(name, value)
    if problem:
        raise BadInput(problem)
    return value


def _check(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise BadInput(f"{path or 'the request body'} is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        check_text(path or "the request body", value)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise BadInput(f"{path or 'the request body'} is out of range (a 64-bit integer at most)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadInput(f"{path or 'the request body'} must be a finite number (not NaN or Infinity)")
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            check_text(f"a field name in {path or 'the request body'}", key)
            _check(item, where, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", depth + 1)


def strict_json(text: str | bytes) -> Any:
    """The parsed JSON body; BadInput (naming the field) for anything no column or later read can take."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise BadInput(f"the request body is nested deeper than {MAX_DEPTH} levels") from None
    _check(value, "", 0)
    return value


def form_problem(fields: dict) -> str | None:
    for key, value in fields.items():
        problem = text_problem("a form field name", key) or text_problem(str(key), value)
        if problem:
            return problem
    return None


def bounded_int(text: str, low: int = INT64_MIN, high: int = INT64_MAX) -> int | None:
    """Decimal digits (optional sign) within [low, high], else None. Decimal digits of any script are read, as
    Java's Integer.parseInt and Python's int() do; `"²".isdigit()` is True but it is no decimal digit."""
    raw = text.strip()
    body = raw[1:] if raw[:1] in "+-" else raw
    if not body or not body.isdecimal() or len(body) > 19:
        return None
    number = int(raw)
    return number if low <= number <= high else None


def _sanitize(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_sanitize(str(k)): _sanitize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sanitize(v) for v in value]
    return value


def safe_json(value: Any, default: Callable | None = None) -> bytes:
    """UTF-8 JSON for any value: lone surrogates become U+FFFD and NaN/Infinity null, never an exception."""
    try:
        return json.dumps(value, default=default, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        plain = json.loads(json.dumps(value, default=default, ensure_ascii=True))
        return json.dumps(_sanitize(plain), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


# --- the ASGI guard ------------------------------------------------------------------------------------
Render = Callable[[dict, int, str], Any]  # (scope, status, message) -> an ASGI response


def _path_problem(scope: dict, routes: list) -> str | None:
    if "\x00" not in scope.get("path", ""):
        return None
    for route in routes:
        match, child = route.matches(scope)
        if match != Match.NONE:
            for name, value in (child.get("path_params") or {}).items():
                if isinstance(value, str) and "\x00" in value:
                    return f"{name} must not contain NUL characters"
    return "the URL path must not contain NUL characters"


def _query_problem(scope: dict) -> str | None:
    raw = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="replace"):
        problem = text_problem("a query parameter name", key) or text_problem(f"query parameter {key}", value)
        if problem:
            return problem
    return None


class InputGuard:
    """ASGI middleware: size limit, mid-body disconnects, NUL in the path and in the query (see module doc)."""

    def __init__(self, app, render: Render, routes: list | None = None, max_body: int = MAX_BODY_BYTES):
        self.app = app
        self.render = render
        self.routes = routes if routes is not None else getattr(app, "routes", [])
        self.max_body = max_body

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _path_problem(scope, self.routes) or _query_problem(scope)
        if problem:
            await self.render(scope, 400, problem)(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            await self.render(scope, 413, self._too_large())(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client hung up in the middle of its body: there is nobody to answer
            body += message.get("body", b"")
            if len(body) > self.max_body:
                await self.render(scope, 413, self._too_large())(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body} bytes"


def _replay(body: bytes, receive):
    sent = False

    async def replayed() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
