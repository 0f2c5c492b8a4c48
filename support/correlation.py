"""How one purchase is found across the importer, the exporter, the CP and its notifications.

The trade's id at the importer and at the exporter come, as the map's `correlation.purchase_ids` says,
from the buy-offer answer (keys from the map) or from the CP's pending list (GET /admin/api/trades/pending,
cp.md §8.6: the exporter's PENDING event of the purchase's origin offer, `tradeId` and `externalTradeId`).
Which of the two the CP keys its trades by, lists as pending, takes for details and puts in
notifications is not settled by the contract (cp.md §13, 4): the map's `correlation.*` entries say it
per stack.
"""
from __future__ import annotations

from .expect import expect
from .wait import until
from .wl_shapes import Purchase, dig


def purchase_trade_ids(session, purchase: Purchase) -> tuple[str | None, str | None]:
    """(the exporter's, the importer's) trade id of a purchase; (None, None) for a refused one."""
    m = session.stack_map
    if m.value("correlation.purchase_ids") == "resposta":
        exporter_key = m.optional("wl.importer.buy_offer.exporter_trade_id")
        importer_key = m.optional("wl.importer.buy_offer.trade_id")
        return (dig(purchase.body, exporter_key) if exporter_key else None,
                dig(purchase.body, importer_key) if importer_key else None)
    if purchase.ok is not True:
        return None, None
    return _from_cp_pending(session, purchase)


def _from_cp_pending(session, purchase: Purchase) -> tuple[str | None, str | None]:
    """The newest PENDING trade the CP lists for the purchase's origin offer and WL pair, not matched to
    another purchase yet; its `tradeId` and `externalTradeId` are the map's sides of the pending list."""
    from . import wl_sql

    m, c = session.stack_map, session.config
    origin = wl_sql.imported_offers(session, [purchase.offer_id])[0].origin_offer_id

    def newest() -> dict | None:
        body = expect(session.cp_admin.pending_trades(wlExporter=c.exporter_wl_id, wlImporter=c.importer_wl_id), 200,
                      session, "GET /admin/api/trades/pending")
        found = [item for item in body.get("items", []) if str(item.get("originOfferId")) == str(origin)
                 and str(item.get("tradeId")) not in session.claimed_trades]
        return max(found, key=lambda item: str(item.get("eventTimestamp"))) if found else None

    item = until(newest, lambda found: found is not None, timeout=c.telemetry_timeout_seconds,
                 describe=f"o CP listar como pendente a compra da oferta de origem {origin}")
    session.claimed_trades.add(str(item["tradeId"]))
    ids = {m.value("correlation.cp_pending_id"): item.get("tradeId"),
           m.value("correlation.cp_pending_external_id"): item.get("externalTradeId")}
    return ids.get("exportador"), ids.get("importador")

SIDES = ("exportador", "importador")


def _side_id(purchase: Purchase, side: str) -> str:
    found = purchase.exporter_trade_id if side == "exportador" else purchase.importer_trade_id
    if not found:
        raise AssertionError(f"a resposta da compra não traz o id do trade no {side}: {purchase!r}")
    return str(found)


def exporter_id(purchase: Purchase) -> str:
    """The trade's id at the exporter (what its pending list, approve/reject and cross_wl_trade use)."""
    return _side_id(purchase, "exportador")


def cp_trade_key(session, purchase: Purchase) -> str:
    """The purchase's `tradeExternalId` in GET /admin/api/trades."""
    return _side_id(purchase, session.stack_map.value("correlation.cp_trade_key"))


def cp_pending_id(session, purchase: Purchase) -> str:
    """The purchase's `tradeId` in GET /admin/api/trades/pending (and the id approve/reject take)."""
    return _side_id(purchase, session.stack_map.value("correlation.cp_pending_id"))


def cp_details_id(session, purchase: Purchase) -> str:
    """The id GET /admin/api/trades/{id}/details takes for the purchase."""
    return _side_id(purchase, session.stack_map.value("correlation.cp_details_id"))


def notification_ids(session, purchase: Purchase) -> set[str]:
    """The ids the CP's notifications of the purchase may carry as `tradeId`."""
    side = session.stack_map.value("correlation.notification_trade_id")
    sides = SIDES if side == "qualquer" else (side,)
    return {_side_id(purchase, s) for s in sides}


def admin_row_id(session, cp_trade: dict) -> str:
    """The id the Admin UI's trades screen shows in the row of a CP trade (a field of GET /trades)."""
    return str(cp_trade[session.stack_map.value("correlation.admin_row_id")])


def store_offer_id(session, offer) -> int:
    """The storefront's id of an imported offer (support.wl_sql.ImportedOffer)."""
    column = session.stack_map.value("correlation.store_offer_id")
    return offer.offer_id if column == "offer_id" else offer.imported_offer_id
