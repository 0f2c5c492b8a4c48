"""TRADER_PURCHASE telemetry to the CP (`POST {cp_mtls_url}/telemetry/events`).

Events are sent synchronously (so the CP sees a trade's events in causal order); when the CP cannot be
reached the event goes to an in-memory FIFO retried by a background thread (order kept per node).
"""
from __future__ import annotations

import logging
import queue
import threading
import time

from ..personality import current as current_personality
from .cp_client import CPError
from .db import iso, money, now

log = logging.getLogger("xpory.core.controlplane")

EVENT_NAMES = {"PENDING": "TRADE_PENDING", "CONFIRMED": "TRADE_CONFIRMED", "REJECTED": "TRADE_REJECTED"}


def _ms(value) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def purchase_payload(trade: dict, role: str, *, source: str, event_name: str | None = None) -> dict:
    """The contract payload for one cross_wl_trade row as seen by `role` (EXPORTER | IMPORTER).
    Both sides emit the same externalTradeId (one cp_trades row per purchase): the exporter's trade id, or
    the importer's in personality b (sandbox/personality.py)."""
    exporter_trade_id = current_personality().trade_id_for_cp(trade, role)
    status = trade["status"]
    confirmed = trade["confirmed_quantity"] if status == "CONFIRMED" else 0
    payload = {
        "role": role,
        "status": status,
        "eventName": event_name or EVENT_NAMES.get(status, "TRADE_" + status),
        "settlementStatus": trade["settlement_status"],
        "tradeId": trade["trade_id"],
        "externalTradeId": exporter_trade_id,
        "counterpartTradeId": trade["external_trade_id"],
        "originWhiteLabelId": trade["exporter_wl_id"],
        "targetWhiteLabelId": trade["importer_wl_id"],
        "originOfferId": trade["origin_offer_id"],
        "requestedQuantity": trade["requested_quantity"],
        "confirmedQuantity": confirmed,
        "unitPrice": money(trade["unit_price"]),
        "totalPrice": money(trade["total_price"]),
        "currency": trade.get("currency") or "X",
        "approvalMode": trade.get("approval_mode"),
        "approvalPath": trade.get("approval_path"),
        "pendingReason": trade.get("pending_reason"),
        "failureReason": trade.get("failure_reason"),
        "idempotencyKey": trade["idempotency_key"] or trade["trade_id"],
        "createdAt": _ms(trade["created_at"]),
        "executedAt": _ms(trade["created_at"]) if status == "PENDING" else _ms(trade.get("decided_at") or trade["created_at"]),
        "correlationId": trade["trade_id"],
        "source": source,
    }
    if status == "PENDING":
        payload["expiresAt"] = _ms(trade["created_at"]) + 24 * 3600 * 1000
    if status == "CONFIRMED":
        payload["confirmedAt"] = payload["executedAt"]
    if trade["settlement_status"] in ("SETTLED", "REFUNDED"):
        payload["settlementAt"] = _ms(trade.get("settled_at") or trade.get("decided_at") or trade["created_at"])
    for col, key in (("escrow_xtransaction_id", "escrowXTransactionId"),
                     ("escrow_reversal_xtransaction_id", "escrowReversalXTransactionId"),
                     ("settlement_debit_xtransaction_id", "settlementDebitXTransactionId"),
                     ("settlement_credit_xtransaction_id", "settlementCreditXTransactionId")):
        if trade.get(col) is not None:
            payload[key] = trade[col]
    return {k: v for k, v in payload.items() if v is not None}


class Telemetry:
    def __init__(self, cfg, cp):
        self.cfg = cfg
        self.cp = cp
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0

    def envelope(self, payload: dict, event_type: str = "TRADER_PURCHASE") -> dict:
        return {"whiteLabelId": self.cfg.wl_id, "nodeId": self.cfg.node_id, "eventType": event_type,
                "eventTimestamp": iso(now()), "payload": payload}

    def emit(self, payload: dict, event_type: str = "TRADER_PURCHASE") -> bool:
        event = self.envelope(payload, event_type)
        if self._queue.empty():
            try:
                self.cp.telemetry([event])
                self.sent += 1
                return True
            except CPError as exc:
                log.warning("telemetry %s deferred: %s", payload.get("eventName"), exc)
        self._queue.put(event)
        self._ensure_thread()
        return False

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._drain, name="telemetry-retry", daemon=True)
            self._thread.start()

    def _drain(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                event = self._queue.get(timeout=1.0)
            except queue.Empty:
                if self._queue.empty():
                    return
                continue
            attempts = 0
            while not self._stop.is_set():
                try:
                    self.cp.telemetry([event])
                    self.sent += 1
                    delay = 0.5
                    break
                except CPError as exc:
                    attempts += 1
                    if attempts >= 20:
                        self.failed += 1
                        log.error("telemetry dropped after %d attempts: %s", attempts, exc)
                        break
                    self._stop.wait(delay)
                    delay = min(delay * 2, 10.0)

    def stop(self) -> None:
        self._stop.set()
        time.sleep(0)
