"""Trades (runbook steps 7–9): the buyer's preconditions, purchases through the importer's legacy
API, decisions at the exporter or through the CP, and the reads that check them. The runbook's own
statements (account_privileges, xbalance) run verbatim; every other name comes from the stack map
(support.wl_sql, support.wl_shapes, support.correlation)."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from . import correlation, wl_shapes, wl_sql
from .expect import expect
from .queries import RUNBOOK_BUYABLE, RUNBOOK_BUYER
from .reset.runbook_steps import peer_token
from .session import Session
from .wait import until
from .wl_shapes import Decision, Purchase

# The runbook's INSERT (step 7), columns and values verbatim, for an account without any row.
PRIVILEGES_INSERT = """
INSERT INTO account_privileges (
  id, version, profile_balance, approve_transfer_reversal, register_new_account,
  approve_purchase_reversal, list_loan_request, view_current_balance, edit_entity,
  list_transfers, loan_request, my_sales, purchased_offers, request_advance_reais,
  account_id, create_offer, transfer, buy_offer, list_advance_reais
)
VALUES (
  (SELECT COALESCE(MAX(id),0)+1 FROM account_privileges),
  0, true, true, false,
  true, true, true, true,
  true, true, true, true, true,
  %(account)s, true, true, true, true
)
ON CONFLICT DO NOTHING
"""

FUNDED_BALANCE = Decimal("100000")


def ensure_buyer_can_buy(session: Session) -> dict:
    """Make the bulk buyer's preconditions true, idempotently: exactly one account_privileges row
    with buy_offer (never the duplicate the runbook's INSERT creates when re-run), X$ 100000 (the
    runbook's UPDATE), and maturity data present (which only the WL's seeding can recreate)."""
    db, c = session.db, session.config
    session.stack_map.require(*RUNBOOK_BUYER)
    account = c.buyer_account_id
    rows = db.importer.rows("SELECT id FROM account_privileges WHERE account_id=%s ORDER BY id", (account,))
    if not rows:
        db.destructive(db.importer, PRIVILEGES_INSERT, {"account": account})
    elif len(rows) > 1:
        db.destructive(db.importer, "DELETE FROM account_privileges WHERE account_id=%s AND id <> %s",
                       (account, rows[0]["id"]))
    db.destructive(db.importer, "UPDATE account_privileges SET buy_offer=true WHERE account_id=%s", (account,))
    db.destructive(db.importer, "UPDATE xbalance SET value=%s WHERE id=%s", (FUNDED_BALANCE, c.buyer_xbalance_id))
    if not wl_sql.maturity_count(session, account):
        raise AssertionError(
            f"a conta {account} não tem dados de maturidade (xtransaction_maturity): as compras falhariam com "
            "'Erro ao debitar em X$'. Restabeleça-os pelo processo de seeding do WL.")
    return buyer_state(session)


def buyer_state(session: Session) -> dict:
    c = session.config
    session.stack_map.require(*RUNBOOK_BUYER)
    return {
        "privileges": session.db.importer.rows(
            "SELECT id, buy_offer FROM account_privileges WHERE account_id=%s ORDER BY id", (c.buyer_account_id,)),
        "xbalance": xbalance(session),
    }


def xbalance(session: Session, xbalance_id: int | None = None) -> Decimal:
    """The runbook's X$ balance row (xbalance.id = XPORY_BUYER_XBALANCE_ID)."""
    session.stack_map.require(*RUNBOOK_BUYER)
    value = session.db.importer.scalar("SELECT value FROM xbalance WHERE id=%s",
                                       (xbalance_id or session.config.buyer_xbalance_id,))
    return Decimal(value)


def ledger_rows(session: Session, account_id: int) -> int:
    return wl_sql.ledger_size(session, account_id)


def fresh_offer_ids(session: Session, count: int) -> list[int]:
    """`count` buyable imported offers (the runbook's query) not bought before in this feature
    (distinct offers instead of the runbook's one-second sleeps)."""
    session.stack_map.require(*RUNBOOK_BUYABLE)
    used = session.reset_state.offers_bought
    rows = session.db.importer.rows(
        "SELECT offer_id FROM imported_offer WHERE eligible=true AND lifecycle_status='ENABLED' "
        "AND COALESCE(offers_available,0) > 0 ORDER BY offer_id")
    chosen = [int(r["offer_id"]) for r in rows if int(r["offer_id"]) not in used][:count]
    if len(chosen) < count:
        raise AssertionError(f"só há {len(chosen)} ofertas importadas compráveis ainda não compradas; preciso de {count}")
    used.update(chosen)
    return chosen


def fresh_offers(session: Session, count: int) -> list[wl_sql.ImportedOffer]:
    """Like `fresh_offer_ids`, with each offer's import id, origin offer and imported price."""
    return wl_sql.imported_offers(session, fresh_offer_ids(session, count))


def buy(session: Session, offer_id: int, account_id: int | None = None, token: str | None = None,
        quantity: int = 1) -> Purchase:
    c = session.config
    response = session.importer.buy_offer(account_id or c.buyer_account_id, token or c.buyer_token, offer_id,
                                          quantity)
    body = expect(response, (200, 201, 400, 401, 403, 409, 422), session, f"buy-offer da oferta {offer_id}")
    return wl_shapes.purchase(session, offer_id, response.status_code, body if isinstance(body, dict) else {})


def exporter_trades(session: Session, purchases: Iterable[Purchase]) -> dict[str, str]:
    """Exporter-side status of each purchase's trade (the exporter's cross_wl_trade), by exporter trade id."""
    return wl_sql.exporter_trade_statuses(session, [correlation.exporter_id(p) for p in purchases])


def cp_trades(session: Session) -> dict[str, dict]:
    """The CP's trade list, keyed by tradeExternalId (one projected row per purchase)."""
    items: list[dict] = []
    offset = 0
    while True:
        body = expect(session.cp_admin.trades(limit=200, offset=offset), 200, session, "GET /trades")
        items.extend(body["items"])
        offset += len(body["items"])
        if not body["items"] or offset >= body["count"]:
            break
    return {item["tradeExternalId"]: item for item in items}


def cp_trade_of(session: Session, purchase: Purchase) -> dict | None:
    """The CP's projected trade of a purchase (None while the CP does not list it)."""
    return cp_trades(session).get(correlation.cp_trade_key(session, purchase))


def wait_cp_matches_exporter(session: Session, purchases: list[Purchase]) -> dict:
    """Poll until the CP lists every trade with the status the exporter holds (within the profile's
    XPORY_TELEMETRY_TIMEOUT_SECONDS: the CP learns the statuses from the WLs' telemetry); return both views."""
    def probe():
        exporter = exporter_trades(session, purchases)
        cp = cp_trades(session)
        return {correlation.exporter_id(p): (exporter.get(correlation.exporter_id(p)),
                                             (cp.get(correlation.cp_trade_key(session, p)) or {}).get("status"))
                for p in purchases}

    return until(probe, lambda seen: all(e is not None and e == c for e, c in seen.values()),
                 timeout=session.config.telemetry_timeout_seconds,
                 describe="o CP listar cada trade com o status do exportador")


def trade_key(payload: dict) -> str | None:
    """The CP's key of a TRADER_PURCHASE payload: externalTradeId, else tradeId (cp.md §8.2)."""
    key = payload.get("externalTradeId") or payload.get("tradeId")
    return None if key in (None, "") else str(key)


def reported_by_exporter(session: Session, keys: set[str]) -> dict[str, str]:
    """For each CP trade key, the status of the latest TRADER_PURCHASE event the exporter itself sent the CP
    (GET /admin/api/telemetry/events?whiteLabelId=<exporter>, newest first; cp.md §8.1, §8.3). The CP's
    trade list merges both WLs' events, so only this says the exporter told the CP."""
    found: dict[str, str] = {}
    offset = 0
    while len(found) < len(keys):
        body = expect(session.cp_admin.telemetry(whiteLabelId=session.config.exporter_wl_id,
                                                 eventType="TRADER_PURCHASE", limit=200, offset=offset),
                      200, session, "telemetria do exportador no CP")
        items = body.get("items") or []
        for item in items:
            payload = item.get("payload") or {}
            key = trade_key(payload)
            if key in keys and key not in found:
                found[key] = str(payload.get("status") or "")
        offset += len(items)
        if not items or offset >= int(body.get("count") or 0):
            break
    return found


def wait_exporter_reported(session: Session, purchases: list[Purchase]) -> dict:
    """Poll until the CP holds, from the exporter's own telemetry, each trade's status as the exporter keeps
    it (XPORY_TELEMETRY_TIMEOUT_SECONDS); return {exporter trade id: (exporter's status, what it reported)}."""
    keys = {correlation.exporter_id(p): correlation.cp_trade_key(session, p) for p in purchases}

    def probe():
        exporter = exporter_trades(session, purchases)
        reported = reported_by_exporter(session, set(keys.values()))
        return {trade: (exporter.get(trade), reported.get(key)) for trade, key in keys.items()}

    return until(probe, lambda seen: all(e is not None and e == r for e, r in seen.values()),
                 timeout=session.config.telemetry_timeout_seconds,
                 describe="o exportador avisar o CP do status de cada trade")


def exporter_peer_token(session: Session) -> str:
    return peer_token(session, scopes=("trader:purchase",))


def decide_at_exporter(session: Session, purchase: Purchase, approve: bool, reason: str = "MANUAL_REJECT") -> Decision:
    token = exporter_peer_token(session)
    trade_id = correlation.exporter_id(purchase)
    if approve:
        response = session.exporter.approve(trade_id, token)
    else:
        response = session.exporter.reject(trade_id, token, reason)
    body = expect(response, 200, session, f"{'aprovar' if approve else 'rejeitar'} {trade_id} no exportador")
    return wl_shapes.decision(session, body)


def pending_at_exporter(session: Session) -> list[str]:
    """The exporter's trade ids of its pending purchases."""
    body = expect(session.exporter.pending_purchases(exporter_peer_token(session)), 200, session,
                  "pendentes no exportador")
    return wl_shapes.pending_trade_ids(session, body)
