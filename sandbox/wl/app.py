"""Assembly of a WL node: shared state (config, DB pool, CP client, poller, telemetry) and the routes.

Both roles mount every route (the CP calls categories/entities/trader-account/details on every WL);
what a role does is driven by its data and configuration (the exporter has the big catalogue, the
importer has exporters configured and the buyer accounts).
"""
from __future__ import annotations

import asyncio
import html as _h
import json
import logging
from urllib.parse import parse_qsl, urlencode

import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ..inputs import InputGuard, bounded_int
from ..personality import IDENTITY, Shape
from ..personality import current as current_personality
from . import buying, catalog, config, details, export, importing, preflight, purchases, storefront
from .cp_client import CPClient
from .db import Database, money
from .errors import ERROR_KEY, HANDLERS, JSONResponse, refusal
from .relationship_cache import GovernancePoller
from .telemetry import Telemetry

log = logging.getLogger("xpory.core.controlplane")
logging.getLogger("httpx").setLevel(logging.WARNING)


class State:
    def __init__(self, cfg: config.WLConfig):
        self.cfg = cfg
        self.db = Database(cfg.dsn)
        self.cp = CPClient(cfg)
        self.poller = GovernancePoller(cfg, self.db, self.cp)
        self.telemetry = Telemetry(cfg, self.cp)
        self.peers = httpx.Client(timeout=httpx.Timeout(15.0, connect=5.0))

    def start(self, poll: bool = True) -> None:
        self.db.open()
        if poll:
            self.poller.start()

    def stop(self) -> None:
        self.poller.stop()
        self.telemetry.stop()
        self.peers.close()
        self.cp.close()
        self.db.close()


async def health(request: Request):
    state = request.app.state.wl
    return JSONResponse({"ok": True, "role": state.cfg.role, "wlId": state.cfg.wl_id, "name": state.cfg.name})


def _origin_offer(request: Request):
    """`GET /troca/oferta/{id}`: the exporter's public offer page (the CP builds originalOfferUrl with it)."""
    state = request.app.state.wl
    offer_id = bounded_int(request.path_params["offer_id"], 1)
    row = state.db.one("SELECT o.title, o.price, o.stock, o.active, e.name FROM offer o JOIN entity e ON e.id=o.entity_id"
                       " WHERE o.id=%s", (offer_id,)) if offer_id is not None else None
    if row is None:
        return HTMLResponse("<!doctype html><html lang='pt-BR'><body><h1>Oferta não encontrada</h1></body></html>",
                            status_code=404)
    return HTMLResponse(
        f"<!doctype html><html lang='pt-BR'><head><meta charset='utf-8'><title>{_h.escape(row['title'])}</title></head>"
        f"<body><h1>{_h.escape(row['title'])}</h1><p>Vendedor: {_h.escape(row['name'])}</p>"
        f"<p>Preço: X$ {money(row['price']):.2f}</p><p>Estoque: {row['stock']}</p>"
        f"<p>{'Ativa' if row['active'] else 'Inativa'}</p></body></html>")


async def origin_offer(request: Request):
    return await run_in_threadpool(_origin_offer, request)


def shaped(endpoint, answer: Shape = IDENTITY, asked: Shape = IDENTITY, query=None):
    """The endpoint as the personality speaks it: the request's JSON read back into canonical keys
    (`asked`, applied by errors.json_body), the query rewritten (`query`), a 2xx JSON answer reshaped
    (`answer`). Identity shapes leave the endpoint untouched."""
    if answer.identity and asked.identity and query is None:
        return endpoint

    async def wrapped(request: Request):
        if not asked.identity:
            request.state.inward = asked
        if query is not None:
            pairs = dict(parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
            request.scope["query_string"] = urlencode(query(pairs)).encode()
        response = await endpoint(request) if asyncio.iscoroutinefunction(endpoint) else \
            await run_in_threadpool(endpoint, request)
        if answer.identity or response.status_code >= 400 or response.media_type != "application/json":
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        return JSONResponse(answer.outward(json.loads(response.body)), status_code=response.status_code, headers=headers)

    return wrapped


def routes() -> list[Route]:
    cp = "/api/v2/control-plane"
    p = current_personality()
    return [
        Route("/health", health),
        Route(f"{cp}/export/offers", shaped(export.export_offers, p.export,
                                            query=None if p.export_paging == "limit/offset" else p.export_query_to_canonical),
              methods=["GET"]),
        Route(f"{cp}/offer-categories", catalog.categories, methods=["GET"]),
        Route(f"{cp}/entities", catalog.entities, methods=["GET"]),
        Route(f"{cp}/trader-account", catalog.trader_account, methods=["GET"]),
        Route(f"{cp}/imbalance/signals", catalog.imbalance_signal, methods=["POST"]),
        Route(f"{cp}/trader/purchases/{{key}}/details", details.trade_details, methods=["GET"]),
        Route(f"{cp}/debug/import", importing.debug_import, methods=["POST"]),
        Route("/api/v2/trader/purchase/preflight", shaped(preflight.preflight, p.preflight, p.preflight_request),
              methods=["POST"]),
        Route("/api/v2/trader/purchase/holds/{hold_id}", preflight.hold_status, methods=["GET"]),
        Route("/api/v2/trader/purchase", shaped(purchases.purchase, p.purchase, p.purchase_request), methods=["POST"]),
        Route("/api/v2/trader/purchases/pending", shaped(purchases.pending, p.pending), methods=["GET"]),
        Route("/api/v2/trader/purchases/{trade_id}/approve", shaped(purchases.approve, p.decision), methods=["POST"]),
        Route("/api/v2/trader/purchases/{trade_id}/reject", shaped(purchases.reject, p.decision), methods=["POST"]),
        Route("/api/v2/trader/purchases/{trade_id}/decision", buying.decision, methods=["POST"]),
        Route("/api/v1/buy-offer", shaped(buying.buy_offer, p.buy_offer), methods=["POST"]),
        Route("/api/v2/checkout/imported-offer/{imported_offer_id}", shaped(buying.checkout, p.checkout, p.checkout_request),
              methods=["POST"]),
        Route("/troca/oferta/{offer_id}", origin_offer, methods=["GET"]),
    ]


def build(role: str, settings=None, state: State | None = None) -> tuple[State, Starlette, Starlette | None]:
    cfg = config.load(role, settings)
    ERROR_KEY["key"] = current_personality().error_key[role]
    state = state or State(cfg)
    table = routes()
    api = Starlette(routes=table, exception_handlers=HANDLERS,
                    middleware=[Middleware(InputGuard, render=refusal, routes=table)])
    api.state.wl = state
    front = storefront.build(state) if role == "importer" else None
    return state, api, front
