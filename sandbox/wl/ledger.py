"""X$ balance movements and the idempotency store (both inside the caller's transaction)."""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from .errors import ApiError


def move(conn, account_id: int, xbalance_id: int, amount: Decimal, kind: str, trade_id: str,
         description: str, status: str = "POSTED") -> int:
    """Add `amount` (negative = debit) to the X$ balance and write the ledger row; returns its id."""
    row = conn.execute("UPDATE xbalance SET value = value + %s, version = version + 1, updated_at = now()"
                       " WHERE id = %s RETURNING value", (amount, xbalance_id)).fetchone()
    balance_after = row["value"] if row else None
    return conn.execute(
        "INSERT INTO xtransaction (account_id, xbalance_id, kind, amount, balance_after, status, trade_id, description)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (account_id, xbalance_id, kind, amount, balance_after, status, trade_id, description)).fetchone()["id"]


def request_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def idem_begin(db, scope: str, key: str, rhash: str | None = None):
    """None when this request owns the key now; (status, body) of the first answer for a replay."""
    with db.tx() as conn:
        inserted = conn.execute(
            "INSERT INTO idempotency_record (scope, key, request_hash) VALUES (%s, %s, %s)"
            " ON CONFLICT (scope, key) DO NOTHING", (scope, key, rhash)).rowcount
        if inserted:
            return None
        row = conn.execute("SELECT state, status_code, response FROM idempotency_record WHERE scope=%s AND key=%s",
                           (scope, key)).fetchone()
    if row is None or row["state"] != "DONE":
        raise ApiError(409, "A request with this Idempotency-Key is still in progress", idempotencyKey=key)
    return row["status_code"], json.loads(row["response"])


def idem_finish(db, scope: str, key: str, status: int, body: dict) -> None:
    db.run("UPDATE idempotency_record SET state='DONE', status_code=%s, response=%s WHERE scope=%s AND key=%s",
           (status, json.dumps(body, default=str), scope, key))


def idem_abort(db, scope: str, key: str) -> None:
    db.run("DELETE FROM idempotency_record WHERE scope=%s AND key=%s AND state='IN_PROGRESS'", (scope, key))
