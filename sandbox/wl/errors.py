"""JSON errors and request reading of a WL node: every failure leaves as `{"error": ...}` with a 4xx/5xx status,
never a traceback; bodies, form fields and numbers are read through the input layer (`sandbox.inputs`)."""
from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse as _StarletteJSON

from ..inputs import INT64_MAX, INT64_MIN, BadInput, bounded_int, form_problem, safe_json, strict_json

log = logging.getLogger("xpory.core.controlplane")


# The key of the error message in this node's error answers (sandbox/personality.py; set by app.build).
ERROR_KEY = {"key": "error"}


class JSONResponse(_StarletteJSON):
    """A JSON answer that renders whatever it is given (NaN, lone surrogates) as valid UTF-8 JSON; an error
    answer carries its message under the personality's key."""

    def render(self, content) -> bytes:
        key = ERROR_KEY["key"]
        if key != "error" and self.status_code >= 400 and isinstance(content, dict) and "error" in content:
            content = {(key if k == "error" else k): v for k, v in content.items()}
        return safe_json(content, default=str)


class ApiError(Exception):
    def __init__(self, http_status: int, message: str, **extra):
        super().__init__(message)
        self.status = http_status
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        return {"error": self.message, **self.extra}


async def _api_error(request: Request, exc: ApiError):
    return JSONResponse(exc.body(), status_code=exc.status)


async def _http_error(request: Request, exc: HTTPException):
    messages = {404: "Not found", 405: "Method not allowed"}
    return JSONResponse({"error": exc.detail if exc.detail and exc.detail not in ("Not Found", "Method Not Allowed")
                         else messages.get(exc.status_code, "HTTP error")},
                        status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _crash(request: Request, exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": "Internal error", "detail": f"{type(exc).__name__}: {exc}"[:300]}, status_code=500)


async def _bad_input(request: Request, exc: BadInput):
    return JSONResponse({"error": exc.message}, status_code=exc.status)


HANDLERS = {ApiError: _api_error, BadInput: _bad_input, HTTPException: _http_error, Exception: _crash}


def refusal(scope: dict, status: int, message: str):
    """The input layer's answer (`sandbox.inputs.InputGuard`)."""
    return JSONResponse({"error": message}, status_code=status)


async def json_body(request: Request, *, required: bool = False) -> dict:
    """The request's JSON object (or form fields); {} when empty and not required."""
    raw = await request.body()
    ctype = request.headers.get("content-type", "")
    if "multipart/form-data" in ctype:
        raise ApiError(415, "multipart/form-data is not supported; send application/x-www-form-urlencoded or JSON")
    if "application/x-www-form-urlencoded" in ctype:
        return form_fields(raw)
    if not raw.strip():
        if required:
            raise ApiError(400, "Request body must be a JSON object")
        return {}
    try:
        data = strict_json(raw)
    except BadInput as exc:
        raise ApiError(exc.status, exc.message) from None
    except ValueError:
        raise ApiError(400, "Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Request body must be a JSON object")
    shape = getattr(request.state, "inward", None)  # the personality's keys, back to canonical (app.shaped)
    return shape.inward(data) if shape is not None else data


def form_fields(raw: bytes) -> dict:
    """URL-encoded form fields (the last value of a repeated field wins)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "Form body is not UTF-8") from None
    fields = dict(parse_qsl(text, keep_blank_values=True))
    problem = form_problem(fields)
    if problem:
        raise ApiError(400, problem)
    return fields


def int_param(value, name: str, *, minimum: int | None = None, maximum: int | None = None,
              default: int | None = None, required: bool = False, high: int = INT64_MAX) -> int | None:
    """An integer field: ASCII digits or a JSON integer within [minimum, high] (64 bits by default; `high` =
    the column's limit); above `maximum` it is clamped to `maximum`."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise ApiError(400, f"{name} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ApiError(400, f"{name} must be an integer")
    number = value if isinstance(value, int) else bounded_int(value)
    if number is None:
        raise ApiError(400, f"{name} must be an integer")
    if minimum is not None and number < minimum:
        raise ApiError(400, f"{name} must be >= {minimum}")
    if number > high or number < INT64_MIN:
        raise ApiError(400, f"{name} must be <= {high}")
    if maximum is not None and number > maximum:
        number = maximum
    return number


def text_field(body: dict, name: str, *, required: bool = False) -> str | None:
    """A string field of a JSON body (None when absent); 400 when it holds an object, a list or a number."""
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(400, f"{name} is required")
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"{name} must be a string")
    return value
