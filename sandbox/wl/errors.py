"""JSON errors: every failure leaves the WL as `{"error": ...}` with a 4xx/5xx status, never a traceback."""
from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

log = logging.getLogger("xpory.core.controlplane")


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


HANDLERS = {ApiError: _api_error, HTTPException: _http_error, Exception: _crash}


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
        data = json.loads(raw)
    except ValueError:
        raise ApiError(400, "Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return data


def form_fields(raw: bytes) -> dict:
    """URL-encoded form fields (the last value of a repeated field wins)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "Form body is not UTF-8") from None
    return dict(parse_qsl(text, keep_blank_values=True))


def int_param(value, name: str, *, minimum: int | None = None, maximum: int | None = None,
              default: int | None = None, required: bool = False) -> int | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if required:
            raise ApiError(400, f"{name} is required")
        return default
    if isinstance(value, bool):
        raise ApiError(400, f"{name} must be an integer")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ApiError(400, f"{name} must be an integer") from None
    if minimum is not None and number < minimum:
        raise ApiError(400, f"{name} must be >= {minimum}")
    if maximum is not None and number > maximum:
        number = maximum
    return number
