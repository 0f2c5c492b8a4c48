"""Running one declared route for one listener: the Starlette endpoint that reads the request, checks the
route's guard (contract §2: CERT and BEARER), calls the handler in the threadpool and renders its answer.

`ApiError` becomes a JSON error answer; any other exception a JSON 500 (never a traceback page).
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..inputs import BadInput
from .auth import require_admin
from .web import BEARER, BEARER_MM, CERT, ApiError, Req, RouteDef, json_response

log = logging.getLogger("sandbox.cp")


def check_guard(guard: str, req: Req) -> None:
    if guard == CERT:
        # AdminAuthInterceptor (§2.1). Both listeners stand for Traefik: the WL-facing one has
        # already verified a CA-signed client certificate at the transport level (allowlists are
        # empty by default), and on the admin one Traefik forces `X-Client-Id: proxy-mtls`, which is
        # the allowlisted header subject. Either way the request passes; the admin bearer is ignored.
        return
    if guard in (BEARER, BEARER_MM):
        require_admin(req, managers_only=guard == BEARER_MM)


def endpoint(definition: RouteDef, listener: str) -> Callable:
    """The Starlette endpoint wrapping one handler for one listener."""

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
        except BadInput as err:
            response = json_response({"error": err.message}, err.status)
        except Exception as exc:  # never a traceback page
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = json_response({"error": f"Internal server error: {type(exc).__name__}: {exc}"}, 500)
        response.headers["X-Correlation-Id"] = correlation
        return response

    return handle


def _call(definition: RouteDef, req: Req) -> Response:
    check_guard(definition.guard, req)
    result = definition.handler(req)
    if isinstance(result, Response):
        return result
    return json_response(result)
