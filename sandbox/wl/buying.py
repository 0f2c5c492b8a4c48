"""Importer side of a cross-WL purchase (contract wl.md §4.3, §4.4, §5).

* `POST /api/v1/buy-offer` (form: accountId, token, offerId = imported_offer.offer_id, quantity,
  paymentParams): account by token -> account_privileges (exactly one row with buy_offer) -> offer
  buyable -> X$ balance -> maturity rows -> preflight at the exporter (fresh peer token) -> escrow the X$
  -> purchase at the exporter (Idempotency-Key) -> PENDING (X$ stays in escrow) or CONFIRMED (settled).
* `POST /api/v2/checkout/imported-offer/{importedOfferId}` (Idempotency-Key, holdId, accountId, token,
  quantity): checks the hold at the exporter first (expired => REJECTED HOLD_EXPIRED), then buys on it.
  The same Idempotency-Key replays the first answer.
* `POST /api/v2/trader/purchases/{importerTradeId}/decision`: the exporter's decision callback
  (peer token minted for importer <- exporter): settles (CONFIRMED) or refunds (REJECTED) the escrow.
"""
from __future__ import annotations

import json
import logging
import uuid
from decimal import Decimal

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..inputs import INT32_MAX, bounded_int
from ..personality import current as current_personality
from . import ledger, tokens
from .cp_client import CPError
from .db import money
from .errors import ApiError, JSONResponse, int_param, json_body
from .telemetry import purchase_payload

log = logging.getLogger("xpory.core.controlplane")

MESSAGES = {
    "PRICE_CHANGED": "O preço desta oferta foi atualizado. Atualize a página e tente novamente.",
    "OUT_OF_STOCK": "Oferta esgotada.",
    "OFFER_INACTIVE": "Oferta indisponível.",
    "HOLD_EXPIRED": "A reserva desta oferta expirou. Tente novamente.",
    "HOLD_ALREADY_USED": "Esta reserva já foi utilizada.",
    "RELATIONSHIP_NOT_ACTIVE": "Compra indisponível: relacionamento entre as plataformas inativo.",
}
INSUFFICIENT = "Saldo X$ insuficiente"
DEBIT_ERROR = "Erro ao debitar em X$"
DUPLICATE_PRIVILEGES = "More than one row with the given identifier"


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    user, domain = email.split("@", 1)
    return f"{user[:2]}***@{domain}"


def reject_body(reason: str, unit_price, **extra) -> dict:
    msg = current_personality().message(reason, MESSAGES.get(reason, f"Compra recusada pelo exportador ({reason})."))
    return {"ok": False, "status": "REJECTED", "reason": reason, "msg": msg, "unitPrice": unit_price, **extra}


class Exporter:
    """HTTP calls from the importer to one exporter, with a fresh peer token."""

    def __init__(self, state, exporter_id: str):
        self.state = state
        self.id = exporter_id
        desc = next((e for e in state.cfg.exporters if e.get("id") == exporter_id), None)
        base = (desc or {}).get("baseUrl") or state.cfg.peer_urls.get(exporter_id)
        if not base:
            raise ApiError(502, "Exporter not configured", exporterWlId=exporter_id)
        self.base = base.rstrip("/")
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            try:
                self._token = self.state.cp.peer_token(self.id, ["trader:purchase"])
            except CPError as exc:
                raise ApiError(502, "Não foi possível obter o peer token do Control Plane", detail=str(exc)) from None
        return self._token

    def call(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
        try:
            return self.state.peers.request(method, f"{self.base}{path}", headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(502, "Exportador indisponível", detail=f"{type(exc).__name__}: {exc}") from None

    def preflight(self, body: dict) -> tuple[httpx.Response, dict]:
        """The exporter's preflight, spoken in the personality's keys; the answer back in canonical keys."""
        p = current_personality()
        r = self.call("POST", "/api/v2/trader/purchase/preflight", json=p.preflight_request.outward(body))
        data = _json(r)
        return r, (p.preflight.inward(data) if r.status_code < 400 else data)


def _json(r: httpx.Response) -> dict:
    try:
        data = r.json()
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def authenticate(conn, account_id: int, token: str) -> dict:
    account = conn.execute(
        "SELECT a.*, e.name AS entity_name FROM account a LEFT JOIN entity e ON e.id=a.entity_id WHERE a.id=%s",
        (account_id,)).fetchone()
    if account is None or not token or account["token"] != token:
        raise ApiError(401, "Conta ou token inválido", accountId=account_id)
    if (account["status"] or "").upper() != "ACTIVE":
        raise ApiError(403, "Conta inativa", accountId=account_id)
    return account


def check_privileges(conn, account_id: int) -> None:
    rows = conn.execute("SELECT id, buy_offer FROM account_privileges WHERE account_id=%s", (account_id,)).fetchall()
    if len(rows) > 1:
        raise ApiError(409, DUPLICATE_PRIVILEGES,
                       detail=f"AccountPrivileges: {len(rows)} rows for account_id={account_id}")
    if not rows or not rows[0]["buy_offer"]:
        raise ApiError(403, "Conta sem privilégio de compra (buy_offer)", accountId=account_id)


def _precheck(state, account_id: int, token: str, offer: dict, quantity: int) -> tuple[dict, Decimal]:
    with state.db.tx() as conn:
        account = authenticate(conn, account_id, token)
        check_privileges(conn, account_id)
        if not offer["eligible"] or offer["lifecycle_status"] != "ENABLED":
            raise ApiError(409, "Oferta indisponível para compra", offerId=offer["offer_id"])
        total = (Decimal(offer["display_price"]) * quantity).quantize(Decimal("0.01"))
        balance = conn.execute("SELECT value FROM xbalance WHERE id=%s", (account["xbalance_id"],)).fetchone()
        if balance is None or balance["value"] < total:
            raise ApiError(422, INSUFFICIENT, required=money(total),
                           available=money(balance["value"]) if balance else 0)
        if not conn.execute("SELECT 1 FROM xtransaction_maturity WHERE account_id=%s LIMIT 1",
                            (account_id,)).fetchone():
            raise ApiError(422, DEBIT_ERROR, detail="no xtransaction_maturity rows for the account")
    return account, total


def buy(state, *, account_id: int, token: str, offer: dict, quantity: int, idem_key: str,
        hold: dict | None = None, exporter: Exporter | None = None) -> tuple[int, dict]:
    """The purchase of `quantity` units of an imported offer; (http status, body)."""
    account, total = _precheck(state, account_id, token, offer, quantity)
    exporter = exporter or Exporter(state, offer["exporter_wl_id"])
    trader = state.db.one("SELECT id FROM trader_accounts WHERE white_label_id=%s ORDER BY created_at LIMIT 1",
                          (state.cfg.wl_id,))
    trader_id = trader["id"] if trader else None
    masked = mask_email(account["email"])
    expected = money(offer["unit_price"])
    if hold is None:
        r, pre = exporter.preflight({
            "originOfferId": offer["origin_offer_id"], "quantity": quantity, "requesterWlId": state.cfg.wl_id,
            "requesterTraderId": trader_id, "clientBuyerMasked": masked, "expectedUnitPrice": expected})
        if r.status_code >= 400:
            raise ApiError(502, "Preflight recusado pelo exportador", exporterStatus=r.status_code,
                           detail=pre.get("error") or r.text[:200])
        if pre.get("status") == "REJECTED":
            return 200, reject_body(pre.get("reason") or "REJECTED", pre.get("unitPrice"), offerId=offer["offer_id"])
        hold = pre
    hold_id = hold.get("holdId")

    trade_id = str(uuid.uuid4())
    with state.db.tx() as conn:
        bal = conn.execute("SELECT value FROM xbalance WHERE id=%s FOR UPDATE", (account["xbalance_id"],)).fetchone()
        if bal is None or bal["value"] < total:
            raise ApiError(422, INSUFFICIENT, required=money(total))
        trade = conn.execute(
            "INSERT INTO cross_wl_trade (trade_id, role, exporter_wl_id, importer_wl_id, origin_offer_id,"
            " imported_offer_id, offer_id, offer_title, status, settlement_status, requested_quantity, unit_price,"
            " total_price, buyer_account_id, buyer_name, buyer_cell, buyer_masked, requester_trader_id, hold_id,"
            " idempotency_key, seller_entity_id, seller_name)"
            " VALUES (%s,'IMPORTER',%s,%s,%s,%s,%s,%s,'PENDING','ESCROWED',%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
            " RETURNING *",
            (trade_id, offer["exporter_wl_id"], state.cfg.wl_id, offer["origin_offer_id"], offer["id"],
             offer["offer_id"], offer["title"], quantity, offer["unit_price"], total, account_id,
             account["entity_name"] or account["name"], account["phone"], masked, trader_id, hold_id, idem_key,
             offer["entity_id"], offer["entity_name"])).fetchone()
        escrow = ledger.move(conn, account_id, account["xbalance_id"], -total, "ESCROW_HOLD", trade_id,
                             f"Escrow compra cross-WL {trade_id}", status="ESCROWED")
        conn.execute("UPDATE cross_wl_trade SET escrow_xtransaction_id=%s WHERE id=%s", (escrow, trade["id"]))

    body = {
        "holdId": hold_id, "originOfferId": offer["origin_offer_id"], "quantity": quantity,
        "requesterWlId": state.cfg.wl_id, "requesterTraderId": trader_id, "clientBuyerMasked": masked,
        "expectedUnitPrice": expected, "importerTradeId": trade_id,
        "buyer": {"name": account["entity_name"] or account["name"], "cell": account["phone"]},
        "callbackUrl": state.cfg.own_url,
    }
    try:
        r = exporter.call("POST", "/api/v2/trader/purchase", json=current_personality().purchase_request.outward(body),
                          headers={"Idempotency-Key": idem_key})
    except ApiError as exc:
        _fail(state, trade_id, account, total, "EXPORTER_UNAVAILABLE")
        raise exc
    answer = current_personality().purchase.inward(_json(r)) if r.status_code < 400 else _json(r)
    if r.status_code >= 400 or answer.get("status") not in ("PENDING", "CONFIRMED", "REJECTED"):
        _fail(state, trade_id, account, total, "EXPORTER_ERROR")
        raise ApiError(502, "Compra recusada pelo exportador", exporterStatus=r.status_code,
                       detail=answer.get("error") or r.text[:200])
    if answer["status"] == "REJECTED":
        _fail(state, trade_id, account, total, answer.get("reason") or "REJECTED")
        return 200, reject_body(answer.get("reason") or "REJECTED", answer.get("unitPrice"),
                                offerId=offer["offer_id"], holdId=hold_id)

    status = answer["status"]
    seller = answer.get("seller") or {}
    with state.db.tx() as conn:
        trade = conn.execute(
            "UPDATE cross_wl_trade SET external_trade_id=%s, status=%s, approval_mode=%s, approval_path=%s,"
            " pending_reason=%s, seller_name=COALESCE(%s, seller_name), seller_cell=%s,"
            " seller_entity_id=COALESCE(%s, seller_entity_id), updated_at=now() WHERE trade_id=%s RETURNING *",
            (answer.get("tradeId"), status, answer.get("approvalMode"), answer.get("approvalPath"),
             answer.get("pendingReason"), seller.get("name"), seller.get("cell"), seller.get("entityId"),
             trade_id)).fetchone()
        if status == "CONFIRMED":
            trade = _settle(conn, trade, account_id, account["xbalance_id"])
    state.telemetry.emit(purchase_payload(trade, "IMPORTER", source="checkout"))
    msg = "Compra confirmada." if status == "CONFIRMED" else "Compra registrada; aguardando aprovação do exportador."
    return 200, {"ok": True, "status": status, "msg": msg, "tradeId": trade_id,
                 "externalTradeId": answer.get("tradeId"), "offerId": offer["offer_id"],
                 "importedOfferId": offer["id"], "originOfferId": offer["origin_offer_id"], "quantity": quantity,
                 "unitPrice": answer.get("unitPrice"), "totalPrice": money(total), "currency": "X",
                 "approvalMode": answer.get("approvalMode"), "holdId": hold_id}


def _settle(conn, trade: dict, account_id: int, xbalance_id: int) -> dict:
    total = Decimal(trade["total_price"])
    ledger.move(conn, account_id, xbalance_id, total, "ESCROW_RELEASE", trade["trade_id"], "Liberação do escrow")
    debit = ledger.move(conn, account_id, xbalance_id, -total, "SETTLEMENT_DEBIT", trade["trade_id"],
                        f"Compra cross-WL {trade['trade_id']}")
    conn.execute("UPDATE xtransaction SET status='SETTLED' WHERE id=%s", (trade["escrow_xtransaction_id"],))
    return conn.execute(
        "UPDATE cross_wl_trade SET status='CONFIRMED', settlement_status='SETTLED', confirmed_quantity="
        "requested_quantity, settlement_debit_xtransaction_id=%s, decided_at=COALESCE(decided_at, now()),"
        " settled_at=now(), updated_at=now() WHERE id=%s RETURNING *", (debit, trade["id"])).fetchone()


def _refund(conn, trade: dict, reason: str) -> dict:
    account = conn.execute("SELECT id, xbalance_id FROM account WHERE id=%s", (trade["buyer_account_id"],)).fetchone()
    refund = ledger.move(conn, account["id"], account["xbalance_id"], Decimal(trade["total_price"]), "ESCROW_REFUND",
                         trade["trade_id"], f"Estorno do escrow ({reason})")
    conn.execute("UPDATE xtransaction SET status='REFUNDED' WHERE id=%s", (trade["escrow_xtransaction_id"],))
    return conn.execute(
        "UPDATE cross_wl_trade SET status='REJECTED', settlement_status='REFUNDED', confirmed_quantity=0,"
        " escrow_reversal_xtransaction_id=%s, failure_reason=%s, decision_reason=COALESCE(decision_reason, %s),"
        " decided_at=COALESCE(decided_at, now()), settled_at=now(), updated_at=now() WHERE id=%s RETURNING *",
        (refund, reason, reason, trade["id"])).fetchone()


def _fail(state, trade_id: str, account: dict, total: Decimal, reason: str) -> None:
    with state.db.tx() as conn:
        trade = conn.execute("SELECT * FROM cross_wl_trade WHERE trade_id=%s FOR UPDATE", (trade_id,)).fetchone()
        _refund(conn, trade, reason)


def _buy_offer(state, form: dict):
    account_id = int_param(form.get("accountId"), "accountId", minimum=1, required=True)
    token = str(form.get("token") or "").strip()
    if not token:
        raise ApiError(400, "token is required")
    offer_id = int_param(form.get("offerId"), "offerId", minimum=1, required=True)
    quantity = int_param(form.get("quantity"), "quantity", minimum=1, default=1, high=INT32_MAX)
    if quantity > 10000:
        raise ApiError(400, "quantity is too large")
    params = form.get("paymentParams")
    if params:
        try:
            parsed = json.loads(params) if isinstance(params, str) else params
        except ValueError:
            raise ApiError(400, "paymentParams must be JSON, e.g. {\"paymentType\":\"balanceAccount\"}") from None
        ptype = parsed.get("paymentType") if isinstance(parsed, dict) else None
        if ptype not in (None, "balanceAccount"):
            raise ApiError(400, f"Unsupported paymentType {ptype!r} (only balanceAccount)")
    offer = state.db.one("SELECT * FROM imported_offer WHERE offer_id=%s", (offer_id,))
    if offer is None:
        raise ApiError(404, "Oferta não encontrada", offerId=offer_id)
    return buy(state, account_id=account_id, token=token, offer=offer, quantity=quantity,
               idem_key=f"buy-offer:{uuid.uuid4()}")


def legacy_error(exc: ApiError) -> JSONResponse:
    return JSONResponse({"ok": False, "status": "ERROR", "msg": exc.message, **exc.body()}, status_code=exc.status)


async def buy_offer(request: Request):
    try:
        form = await json_body(request)
        status, body = await run_in_threadpool(_buy_offer, request.app.state.wl, form)
    except ApiError as exc:
        return legacy_error(exc)
    return JSONResponse(body, status_code=status)


# ----------------------------------------------------------------------------------- checkout
def _checkout(state, imported_offer_id: int, key: str, body: dict):
    hold_id = body.get("holdId")
    scope = "checkout"
    replay = ledger.idem_begin(state.db, scope, key, ledger.request_hash(body))
    if replay is not None:
        return replay[0], replay[1], True
    try:
        status, answer = _checkout_once(state, imported_offer_id, hold_id, body, key)
    except ApiError as exc:
        if exc.status >= 500:
            ledger.idem_abort(state.db, scope, key)
            raise
        answer = {"ok": False, "status": "ERROR", "msg": exc.message, **exc.body()}
        ledger.idem_finish(state.db, scope, key, exc.status, answer)
        return exc.status, answer, False
    except Exception:
        ledger.idem_abort(state.db, scope, key)
        raise
    ledger.idem_finish(state.db, scope, key, status, answer)
    return status, answer, False


def _checkout_once(state, imported_offer_id: int, hold_id: str, body: dict, idem_key: str):
    offer = state.db.one("SELECT * FROM imported_offer WHERE id=%s", (imported_offer_id,))
    if offer is None:
        raise ApiError(404, "Imported offer not found", importedOfferId=imported_offer_id)
    exporter = Exporter(state, offer["exporter_wl_id"])
    r = exporter.call("GET", f"/api/v2/trader/purchase/holds/{hold_id}")
    hold = _json(r)
    if r.status_code == 404:
        return 200, reject_body("HOLD_NOT_FOUND", money(offer["unit_price"]), holdId=hold_id)
    if r.status_code >= 400:
        raise ApiError(502, "Exportador recusou a consulta da reserva", exporterStatus=r.status_code,
                       detail=hold.get("error"))
    if hold.get("originOfferId") != offer["origin_offer_id"]:
        raise ApiError(409, "holdId belongs to another offer", holdId=hold_id, originOfferId=hold.get("originOfferId"))
    if hold.get("status") in ("EXPIRED", "RELEASED"):
        return 200, reject_body("HOLD_EXPIRED", hold.get("unitPrice"), holdId=hold_id, expiresAt=hold.get("expiresAt"))
    if hold.get("status") == "CONSUMED":
        return 200, reject_body("HOLD_ALREADY_USED", hold.get("unitPrice"), holdId=hold_id)
    quantity = int_param(body.get("quantity"), "quantity", minimum=1, default=hold.get("quantity") or 1,
                         high=INT32_MAX)
    if quantity != hold.get("quantity"):
        raise ApiError(400, "quantity must match the hold", holdQuantity=hold.get("quantity"))
    account_id = int_param(body.get("accountId", body.get("clientId")), "accountId", minimum=1, required=True)
    token = str(body.get("token") or "").strip()
    if not token:
        raise ApiError(400, "token is required")
    return buy(state, account_id=account_id, token=token, offer=offer, quantity=quantity,
               idem_key=f"checkout:{idem_key}", hold=hold, exporter=exporter)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


async def checkout(request: Request):
    key = (request.headers.get("idempotency-key") or "").strip()
    if not key:
        return JSONResponse({"error": "Idempotency-Key header is required"}, status_code=400)
    if len(key) > 200:
        return JSONResponse({"error": "Idempotency-Key is too long"}, status_code=400)
    body = await json_body(request)
    if not body.get("holdId") or not isinstance(body.get("holdId"), str):
        return JSONResponse({"error": "holdId is required"}, status_code=400)
    if not _is_uuid(body["holdId"]):
        # the exporter's hold ids are UUIDs; anything else would change the exporter URL it is put in
        return JSONResponse({"error": "holdId must be a UUID"}, status_code=400)
    imported_offer_id = bounded_int(request.path_params["imported_offer_id"], 1)
    if imported_offer_id is None:
        return JSONResponse({"error": "importedOfferId must be an integer"}, status_code=400)
    status, answer, replayed = await run_in_threadpool(_checkout, request.app.state.wl, imported_offer_id, key, body)
    headers = {"Idempotent-Replay": "true"} if replayed else None
    return JSONResponse(answer, status_code=status, headers=headers)


# ----------------------------------------------------------------------------------- decision callback
def _decision(request: Request, body: dict):
    state = request.app.state.wl
    claims = tokens.peer_claims(request, state, scope="trader:purchase")
    trade_id = request.path_params["trade_id"]
    status = str(body.get("status") or "").upper()
    if status not in ("CONFIRMED", "REJECTED"):
        raise ApiError(400, "status must be CONFIRMED or REJECTED")
    reason = body.get("reason") if isinstance(body.get("reason"), str) else None
    with state.db.tx() as conn:
        trade = conn.execute("SELECT * FROM cross_wl_trade WHERE role='IMPORTER' AND (trade_id=%s OR"
                             " external_trade_id=%s) ORDER BY (trade_id=%s) DESC LIMIT 1 FOR UPDATE",
                             (trade_id, trade_id, trade_id)).fetchone()
        if trade is None:
            raise ApiError(404, "trade not found", tradeId=trade_id)
        if claims.get("wlId") != trade["exporter_wl_id"]:
            raise ApiError(403, "token is not from this trade's exporter")
        if body.get("exporterTradeId") and trade["external_trade_id"] and \
                body["exporterTradeId"] != trade["external_trade_id"]:
            raise ApiError(409, "exporterTradeId does not match the trade")
        if trade["status"] == status:
            return JSONResponse({"tradeId": trade["trade_id"], "status": status, "unchanged": True})
        if trade["status"] != "PENDING":
            raise ApiError(409, "trade already decided", tradeId=trade["trade_id"], status=trade["status"])
        account = conn.execute("SELECT id, xbalance_id FROM account WHERE id=%s",
                               (trade["buyer_account_id"],)).fetchone()
        if status == "CONFIRMED":
            trade = _settle(conn, trade, account["id"], account["xbalance_id"])
            conn.execute("UPDATE cross_wl_trade SET decision_reason=%s WHERE id=%s", (reason, trade["id"]))
        else:
            trade = _refund(conn, trade, reason or "MANUAL_REJECT")
    state.telemetry.emit(purchase_payload(trade, "IMPORTER", source="callback"))
    return JSONResponse({"tradeId": trade["trade_id"], "externalTradeId": trade["external_trade_id"],
                         "status": trade["status"], "settlementStatus": trade["settlement_status"]})


async def decision(request: Request):
    body = await json_body(request, required=True)
    return await run_in_threadpool(_decision, request, body)
