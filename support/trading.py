"""Trades (runbook steps 7–9): the buyer's preconditions, purchases through the importer's legacy
API, decisions at the exporter or through the CP, and the reads that check them (HTTP and SQL on the
runbook's tables: account_privileges, xbalance, xtransaction_maturity, cross_wl_trade)."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .expect import expect
from .reset.runbook_steps import peer_token
from .session import Session
from .wait import until

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
    account = c.buyer_account_id
    rows = db.importer.rows("SELECT id FROM account_privileges WHERE account_id=%s ORDER BY id", (account,))
    if not rows:
        db.destructive(db.importer, PRIVILEGES_INSERT, {"account": account})
    elif len(rows) > 1:
        db.destructive(db.importer, "DELETE FROM account_privileges WHERE account_id=%s AND id <> %s",
                       (account, rows[0]["id"]))
    db.destructive(db.importer, "UPDATE account_privileges SET buy_offer=true WHERE account_id=%s", (account,))
    db.destructive(db.importer, "UPDATE xbalance SET value=%s WHERE id=%s", (FUNDED_BALANCE, c.buyer_xbalance_id))
    maturity = db.importer.scalar("SELECT count(*) AS n FROM xtransaction_maturity WHERE account_id=%s", (account,))
    if not maturity:
        raise AssertionError(
            f"a conta {account} não tem dados de maturidade (xtransaction_maturity): as compras falhariam com "
            "'Erro ao debitar em X$'. Restabeleça-os pelo processo de seeding do WL.")
    return buyer_state(session)


def buyer_state(session: Session) -> dict:
    c = session.config
    return {
        "privileges": session.db.importer.rows(
            "SELECT id, buy_offer FROM account_privileges WHERE account_id=%s ORDER BY id", (c.buyer_account_id,)),
        "xbalance": xbalance(session),
    }


def xbalance(session: Session, xbalance_id: int | None = None) -> Decimal:
    value = session.db.importer.scalar("SELECT value FROM xbalance WHERE id=%s",
                                       (xbalance_id or session.config.buyer_xbalance_id,))
    return Decimal(value)


def ledger_rows(session: Session, account_id: int) -> int:
    return session.db.importer.scalar("SELECT count(*) AS n FROM xtransaction WHERE account_id=%s", (account_id,))


def fresh_offers(session: Session, count: int) -> list[dict]:
    """`count` buyable imported offers (the runbook's query) not bought before in this feature
    (distinct offers instead of the runbook's one-second sleeps)."""
    used = session.reset_state.offers_bought
    rows = session.db.importer.rows(
        "SELECT offer_id, id AS imported_offer_id, origin_offer_id, unit_price FROM imported_offer "
        "WHERE eligible=true AND lifecycle_status='ENABLED' AND COALESCE(offers_available,0) > 0 "
        "ORDER BY offer_id")
    chosen = [r for r in rows if r["offer_id"] not in used][:count]
    if len(chosen) < count:
        raise AssertionError(f"só há {len(chosen)} ofertas importadas compráveis ainda não compradas; preciso de {count}")
    used.update(r["offer_id"] for r in chosen)
    return chosen


def buy(session: Session, offer_id: int, account_id: int | None = None, token: str | None = None,
        quantity: int = 1) -> dict:
    c = session.config
    response = session.importer.buy_offer(account_id or c.buyer_account_id, token or c.buyer_token, offer_id,
                                          quantity)
    body = expect(response, (200, 201, 400, 401, 403, 409, 422), session, f"buy-offer da oferta {offer_id}")
    body["_http"] = response.status_code
    body["_offerId"] = offer_id
    return body


def exporter_trades(session: Session, external_ids: Iterable[str]) -> dict[str, str]:
    """Exporter-side status of each trade (cross_wl_trade of wl-01), by exporter trade id."""
    ids = list(external_ids)
    rows = session.db.exporter.rows("SELECT trade_id, status FROM cross_wl_trade WHERE trade_id = ANY(%s)", (ids,))
    return {r["trade_id"]: r["status"] for r in rows}


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


def wait_cp_matches_exporter(session: Session, external_ids: list[str]) -> dict:
    """Poll until the CP lists every trade with the status the exporter holds (within the profile's
    XPORY_TELEMETRY_TIMEOUT_SECONDS: the CP learns the statuses from the WLs' telemetry); return both views."""
    def probe():
        exporter = exporter_trades(session, external_ids)
        cp = cp_trades(session)
        return {tid: (exporter.get(tid), (cp.get(tid) or {}).get("status")) for tid in external_ids}

    return until(probe, lambda seen: all(e is not None and e == c for e, c in seen.values()),
                 timeout=session.config.telemetry_timeout_seconds,
                 describe="o CP listar cada trade com o status do exportador")


def exporter_peer_token(session: Session) -> str:
    return peer_token(session, scopes=("trader:purchase",))


def decide_at_exporter(session: Session, external_id: str, approve: bool, reason: str = "MANUAL_REJECT") -> dict:
    token = exporter_peer_token(session)
    if approve:
        response = session.exporter.approve(external_id, token)
    else:
        response = session.exporter.reject(external_id, token, reason)
    return expect(response, 200, session, f"{'aprovar' if approve else 'rejeitar'} {external_id} no exportador")


def pending_at_exporter(session: Session) -> list[dict]:
    body = expect(session.exporter.pending_purchases(exporter_peer_token(session)), 200, session,
                  "pendentes no exportador")
    return body["items"] if isinstance(body, dict) else body
