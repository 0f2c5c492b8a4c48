"""How one purchase is found across the importer, the exporter, the CP and its notifications.

A buy-offer answer carries the trade's id at the importer and at the exporter (keys from the map). Which
of the two the CP keys its trades by, lists as pending, takes for details and puts in notifications is
not settled by the contract (cp.md §13, 4): the map's `correlation.*` entries say it per stack.
"""
from __future__ import annotations

from .wl_shapes import Purchase

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
