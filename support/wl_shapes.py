"""What the WL nodes answer, read through the stack map: the exporter's export (envelope, paging, keys,
timestamps), its pending list and decisions, the preflight, the importer's buy-offer and checkout, and
the WLs' error bodies. Every key comes from the map, the runbook's own (`ok`, `status`, `msg`, `holdId`,
`total`...) too, so the readiness check can tell when even one of those differs on the live stack.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from .expect import expect
from .stackmap import StackMap

PAGE = 500


def dig(body: Any, path: str) -> Any:
    """The value at a dotted key path ("seller.name"), or None."""
    for part in path.split("."):
        body = body.get(part) if isinstance(body, dict) else None
    return body


def listed(body: Any, envelope: str) -> list:
    """The list an answer carries: the answer itself ("[]") or the value under the envelope key."""
    found = body if envelope == "[]" else dig(body, envelope)
    if not isinstance(found, list):
        raise AssertionError(f"a resposta não traz a lista em {envelope!r} (mapa da stack): {str(body)[:300]}")
    return found


def instant(value: Any, style: str) -> dt.datetime:
    """A WL timestamp as an aware datetime, by the map's format (iso | epoch_ms | epoch_s)."""
    if style == "iso":
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    number = float(value)
    return dt.datetime.fromtimestamp(number / 1000 if style == "epoch_ms" else number, dt.UTC)


def resolution(value: Any, style: str) -> float:
    """How much later than the shown `value` the instant it stands for may be, in seconds: the unit of its last
    digit, or a whole second when it shows no fraction of a second (a value cut to the second, whatever its
    format: an epoch in ms that is a multiple of 1000 may be one)."""
    if style == "iso":
        found = re.search(r"\d{2}:\d{2}:\d{2}(?:[.,](\d+))?", str(value))
        digits = found.group(1) if found else None
        return 10.0 ** -len(digits) if digits and digits.strip("0") else 1.0
    number = float(value)
    if style == "epoch_ms":
        return 0.001 if number % 1000 else 1.0
    return 0.001 if number % 1 else 1.0


def page_params(style: str | None, limit: int, offset: int) -> dict[str, int]:
    """The query parameters of one page (offset a multiple of limit for page/size)."""
    if style == "limit/offset":
        return {"limit": limit, "offset": offset}
    if style == "page/size":
        return {"page": offset // limit, "size": limit}
    return {}


# --- the exporter's export ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportedOffer:
    """One offer of the exporter's export, or of its catalogue (support.wl_sql), in the suite's terms."""
    id: int
    category: str
    entity: str
    created_at: dt.datetime
    price: Decimal | None = None
    active: bool | None = None


def export_total(session, importer_id: str | None) -> int:
    """The exporter's `total` (runbook fact); asks for one item only when the map knows the paging."""
    paging = session.stack_map.optional("wl.exporter.export_offers.paging")
    body = expect(session.exporter.export_offers(importer_id, **page_params(paging, 1, 0)), 200, session,
                  "total exportado pelo exportador")
    return int(body[session.stack_map.name("wl.exporter.export_offers.total")])


def _exported(m: StackMap, item: dict, style: str) -> ExportedOffer:
    price = dig(item, m.name("wl.exporter.export_offers.item.price"))
    return ExportedOffer(
        id=int(dig(item, m.name("wl.exporter.export_offers.item.id"))),
        category=str(dig(item, m.name("wl.exporter.export_offers.item.category"))),
        entity=str(dig(item, m.name("wl.exporter.export_offers.item.entity"))),
        created_at=instant(dig(item, m.name("wl.exporter.export_offers.item.created_at")), style),
        price=Decimal(str(price)) if price is not None else None)


def _pages(session, importer_id: str | None) -> Iterator[tuple[int, list]]:
    m = session.stack_map
    style = m.name("wl.exporter.export_offers.paging")
    offset = 0
    while True:
        body = expect(session.exporter.export_offers(importer_id, **page_params(style, PAGE, offset)), 200,
                      session, "exportação de ofertas")
        batch = listed(body, m.name("wl.exporter.export_offers.items"))
        yield int(body[m.name("wl.exporter.export_offers.total")]), batch
        offset += len(batch)
        if style == "nenhuma" or not batch:
            return


def export_items(session, importer_id: str | None) -> tuple[int, list[ExportedOffer]]:
    """Every offer the exporter exports (to `importer_id`, or broadly when None), page by page."""
    m = session.stack_map
    style = m.name("wl.exporter.export_offers.timestamps")
    total, items = 0, []
    for total, batch in _pages(session, importer_id):
        items.extend(_exported(m, item, style) for item in batch)
        if len(items) >= total:
            break
    return total, items


# --- the exporter's purchases: pending, decisions, preflight ---------------------------------------------
def pending_trade_ids(session, body: Any) -> list[str]:
    m = session.stack_map
    key = m.name("wl.exporter.pending.item.trade_id")
    return [str(dig(item, key)) for item in listed(body, m.name("wl.exporter.pending.items"))]


@dataclass(frozen=True)
class Decision:
    """The exporter's answer to approve/reject."""
    status: str | None
    reason: str | None


def decision(session, body: dict) -> Decision:
    m = session.stack_map
    return Decision(dig(body, m.name("wl.exporter.decision.status")), dig(body, m.name("wl.exporter.decision.reason")))


def preflight_request(session, *, origin_offer_id: int, quantity: int, requester_wl_id: str,
                      requester_trader_id: str | None = None, client_buyer_masked: str | None = None,
                      expected_unit_price: Decimal | None = None) -> dict:
    """The body of POST /api/v2/trader/purchase/preflight, with the map's field names."""
    m = session.stack_map
    body = {m.name("wl.exporter.preflight.request.origin_offer_id"): origin_offer_id,
            m.name("wl.exporter.preflight.request.quantity"): quantity,
            m.name("wl.exporter.preflight.request.requester_wl_id"): requester_wl_id}
    if requester_trader_id is not None or client_buyer_masked is not None:
        body[m.name("wl.exporter.preflight.request.requester_trader_id")] = requester_trader_id
        body[m.name("wl.exporter.preflight.request.client_buyer_masked")] = client_buyer_masked
    if expected_unit_price is not None:
        body[m.name("wl.exporter.preflight.request.expected_unit_price")] = float(expected_unit_price)
    return body


@dataclass(frozen=True)
class Hold:
    """The exporter's preflight answer: the hold (holdId: a documented fact), its price and validity (and how
    much later than the shown validity the hold may still live: `resolution`)."""
    hold_id: str | None
    unit_price: Decimal | None
    expires_at: dt.datetime | None
    body: dict = field(repr=False, default_factory=dict)
    expires_resolution: float = 1.0


def hold(session, body: dict) -> Hold:
    m = session.stack_map
    price = dig(body, m.name("wl.exporter.preflight.unit_price"))
    expires = dig(body, m.name("wl.exporter.preflight.expires_at"))
    style = m.name("wl.exporter.preflight.timestamps")
    return Hold(hold_id=dig(body, m.name("wl.exporter.preflight.hold_id")),
                unit_price=Decimal(str(price)) if price is not None else None,
                expires_at=instant(expires, style) if expires is not None else None,
                body=body, expires_resolution=resolution(expires, style) if expires is not None else 1.0)


def refused_without_data(session, body: Any) -> list[str]:
    """What a refusal of the exporter's purchase endpoints carries that it must not: a pending list or a hold."""
    m = session.stack_map
    found = []
    envelope = m.name("wl.exporter.pending.items")
    if (envelope == "[]" and isinstance(body, list)) or (envelope != "[]" and dig(body, envelope) is not None):
        found.append(f"a lista de compras ({envelope})")
    if dig(body, m.name("wl.exporter.preflight.hold_id")) is not None:
        found.append("uma reserva (holdId)")
    return found


# --- the importer's purchases ---------------------------------------------------------------------------
@dataclass
class Purchase:
    """An answer of POST /api/v1/buy-offer: `ok`, `status` and `msg` (the runbook's keys); the trade ids
    and the total, through the map, only when a step asks for them (a refused purchase has none). Where
    the trade ids are found (the answer itself, or the CP) is the map's `correlation.purchase_ids`."""
    offer_id: int
    http_status: int
    body: dict
    ok: Any
    status: Any
    msg: str
    stack_map: StackMap = field(repr=False, compare=False)
    session: Any = field(default=None, repr=False, compare=False)
    found_ids: tuple | None = field(default=None, repr=False, compare=False)

    def trade_ids(self) -> tuple[str | None, str | None]:
        """(the exporter's, the importer's) trade id, looked up once (support.correlation)."""
        if self.found_ids is None:
            from . import correlation

            self.found_ids = correlation.purchase_trade_ids(self.session, self)
        return self.found_ids

    @property
    def importer_trade_id(self) -> str | None:
        return self.trade_ids()[1]

    @property
    def exporter_trade_id(self) -> str | None:
        return self.trade_ids()[0]

    @property
    def total_price(self) -> Decimal:
        return Decimal(str(dig(self.body, self.stack_map.name("wl.importer.buy_offer.total_price"))))

    def __repr__(self) -> str:  # World.dump shows the answer itself
        return f"<compra da oferta {self.offer_id}: HTTP {self.http_status} {self.body}>"


def purchase(session, offer_id: int, http_status: int, body: dict) -> Purchase:
    m = session.stack_map
    return Purchase(offer_id, http_status, body, ok=dig(body, m.name("wl.importer.buy_offer.ok")),
                    status=dig(body, m.name("wl.importer.buy_offer.status")),
                    msg=str(dig(body, m.name("wl.importer.buy_offer.msg")) or ""), stack_map=m, session=session)


def checkout_request(session, *, hold_id: str | None, account_id: int, token: str, quantity: int) -> dict:
    m = session.stack_map
    body = {m.name("wl.importer.checkout.request.account_id"): account_id,
            m.name("wl.importer.checkout.request.token"): token,
            m.name("wl.importer.checkout.request.quantity"): quantity}
    if hold_id is not None:
        body[m.name("wl.importer.checkout.request.hold_id")] = hold_id
    return body


@dataclass(frozen=True)
class CheckoutAnswer:
    """A checkout's status, reason and unit price (the runbook's keys, passo 10, 8.3)."""
    status: Any
    reason: Any
    price: Decimal | None


def checkout_answer(session, body: dict) -> CheckoutAnswer:
    m = session.stack_map
    price = dig(body, m.name("wl.importer.checkout.unit_price"))
    return CheckoutAnswer(dig(body, m.name("wl.importer.checkout.status")), dig(body, m.name("wl.importer.checkout.reason")),
                          Decimal(str(price)) if price is not None else None)


def checkout_succeeded(session, body: dict) -> tuple[Any, Any]:
    """(ok, trade id) of a checkout answer."""
    m = session.stack_map
    return dig(body, m.name("wl.importer.checkout.ok")), dig(body, m.name("wl.importer.checkout.trade_id"))


def wl_error(session, response: httpx.Response, side: str) -> str | None:
    """The error message of a WL's error answer (`side`: "exporter" | "importer"), by the map's key. The
    code that calls the WL requires the key (support.security): here it is only read, so a scenario
    that checks only the CP's errors does not need the WLs'."""
    m = session.stack_map
    key = m.optional("wl.exporter.error.key") if side == "exporter" else m.optional("wl.importer.error.key")
    if key is None:
        raise AssertionError(f"o mapa não sabe a chave de erro do WL ({side}): declare-a onde a chamada é feita")
    try:
        body = response.json()
    except ValueError:
        return None
    found = dig(body, key)
    return found if isinstance(found, str) else None
