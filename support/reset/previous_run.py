"""Traces of a previous run in the CP, for the cleanup scenarios to prove the cleanup removes them."""
from __future__ import annotations

import datetime as dt
import uuid

from ..expect import expect
from ..session import Session
from .phases import PHASE, at_least, mark


def leave_previous_run_traces(session: Session) -> None:
    """Make sure the CP holds rows in the five tables the runbook's TRUNCATE misses: snapshots (a
    sync), and a trade with its notifications (a TRADER_PURCHASE event sent like a WL sends it)."""
    at_least(session, PHASE["snapshots sincronizados"])
    c = session.config
    trade = f"previous-run-{uuid.uuid4()}"
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event = {
        "whiteLabelId": c.exporter_wl_id, "nodeId": "wl-exporter", "eventType": "TRADER_PURCHASE",
        "eventTimestamp": now,
        "payload": {"role": "EXPORTER", "status": "PENDING", "eventName": "TRADE_PENDING",
                    "settlementStatus": "UNSETTLED", "tradeId": trade, "externalTradeId": trade,
                    "originWhiteLabelId": c.exporter_wl_id, "targetWhiteLabelId": c.importer_wl_id,
                    "originOfferId": "1", "requestedQuantity": 1, "unitPrice": 10, "totalPrice": 10,
                    "currency": "X", "idempotencyKey": trade, "createdAt": now},
    }
    expect(session.cp_peer.send_telemetry([event]), 202, session, "telemetria TRADER_PURCHASE")
    mark(session, None)  # the stack now holds a trade that no reset phase made
