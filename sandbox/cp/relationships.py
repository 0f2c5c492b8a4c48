"""Directional relationships src (exporter) → dst (importer) (contract §4.1, §4.3–§4.5)."""
from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

import psycopg

from . import dates, db, events, export_policy
from .policies import who
from .signature import sign, signed
from .validation import (
    CUSTOM,
    IN_LIST,
    MAX_SIZE,
    MIN,
    NULLABLE,
    Errors,
    fits_integer,
    fits_numeric,
    out_of_column,
    too_long,
)
from .web import CERT, ApiError, Req, Routes, not_found_empty, page

ROUTES = Routes()

STATUSES = ("active", "blocked", "inactive", "paused")
APPROVAL_MODES = ("MANUAL", "AUTO", "HYBRID")
_MISSING = object()


def _pick(body: dict, *keys):
    """The value of the first key present (camelCase is listed first, so it wins)."""
    for key in keys:
        if key in body:
            return body[key]
    return _MISSING


def _decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ApiError(400, "Numeric value expected")
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApiError(400, "Numeric value expected") from None
    if not result.is_finite():
        raise ApiError(400, "Numeric value expected")
    return result


def _integer(value) -> int:
    if isinstance(value, bool):
        raise ApiError(400, "Integer value expected")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise ApiError(400, "Integer value expected") from None


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ApiError(400, "Boolean value expected")


def _policy(text: str | None):
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def rel_json(row: dict) -> dict:
    policy = _policy(row["export_policy"])
    return {
        "id": row["id"], "sourceId": row["source_id"], "targetId": row["target_id"],
        "source_wl_id": row["source_id"], "dst_wl_id": row["target_id"],
        "fxRate": row["fx_rate"], "fx_rate": row["fx_rate"],
        "limitAmount": row["limit_amount"], "imbalance_limit": row["limit_amount"], "status": row["status"],
        "approvalMode": row["approval_mode"], "approval_mode": row["approval_mode"],
        "manualApprovalAboveAmount": row["manual_approval_above_amount"],
        "manual_approval_above_amount": row["manual_approval_above_amount"],
        "manualApprovalAboveQty": row["manual_approval_above_qty"],
        "manual_approval_above_qty": row["manual_approval_above_qty"],
        "manualApprovalOnFirstTrade": row["manual_approval_on_first_trade"],
        "manual_approval_on_first_trade": row["manual_approval_on_first_trade"],
        "manualApprovalOnImbalance": row["manual_approval_on_imbalance"],
        "manual_approval_on_imbalance": row["manual_approval_on_imbalance"],
        "notes": row["notes"], "exportPolicy": policy, "export_policy": policy,
        "updatedBy": row["updated_by"], "updatedSource": row["updated_source"],
        "updatedAt": row["last_updated"], "updated_at": row["last_updated"],
        "updated_by": row["updated_by"], "updated_source": row["updated_source"],
    }


def get(conn, src: str, dst: str) -> dict | None:
    return conn.execute("SELECT * FROM cp_relationships WHERE source_id = %s AND target_id = %s",
                        (src, dst)).fetchone()


def _apply(body: dict, values: dict, errors: Errors) -> None:
    """Read every field of §4.1 from the body into `values` (column names)."""
    fx = _pick(body, "fxRate", "fx_rate")
    if fx is not _MISSING:
        if fx is None:
            errors.append(NULLABLE)
        else:
            values["fx_rate"] = _decimal(fx)
            errors.check(values["fx_rate"] >= Decimal("0.000001"), MIN)
            if not fits_numeric(values["fx_rate"], 18, 6):
                raise out_of_column("fxRate", "cp_relationships.fx_rate numeric(18,6)")
    limit = _pick(body, "limitAmount", "imbalanceLimit", "imbalance_limit")
    if limit is not _MISSING:
        if limit is None:
            errors.append(NULLABLE)
        else:
            values["limit_amount"] = _decimal(limit)
            errors.check(values["limit_amount"] >= 0, MIN)
            if not fits_numeric(values["limit_amount"], 18, 2):
                raise out_of_column("limitAmount", "cp_relationships.limit_amount numeric(18,2)")
    if body.get("status") is not None:
        values["status"] = str(body["status"]).strip().lower()
        errors.check(values["status"] in STATUSES, IN_LIST)
    mode = _pick(body, "approvalMode", "approval_mode")
    if mode is not _MISSING and mode is not None:
        mode = str(mode).strip().upper()
        if mode not in APPROVAL_MODES:
            raise ApiError(400, "Invalid approvalMode")
        values["approval_mode"] = mode
    amount = _pick(body, "manualApprovalAboveAmount", "manual_approval_above_amount")
    if amount is not _MISSING:
        values["manual_approval_above_amount"] = None if amount is None else _decimal(amount)
        errors.check(amount is None or values["manual_approval_above_amount"] >= 0, MIN)
        if amount is not None and not fits_numeric(values["manual_approval_above_amount"], 18, 2):
            raise out_of_column("manualApprovalAboveAmount", "cp_relationships.manual_approval_above_amount numeric(18,2)")
    qty = _pick(body, "manualApprovalAboveQty", "manual_approval_above_qty")
    if qty is not _MISSING:
        values["manual_approval_above_qty"] = None if qty is None else _integer(qty)
        errors.check(qty is None or values["manual_approval_above_qty"] >= 1, MIN)
        if qty is not None and not fits_integer(values["manual_approval_above_qty"]):
            raise out_of_column("manualApprovalAboveQty", "cp_relationships.manual_approval_above_qty integer")
    for keys, column in ((("manualApprovalOnFirstTrade", "manual_approval_on_first_trade"),
                          "manual_approval_on_first_trade"),
                         (("manualApprovalOnImbalance", "manual_approval_on_imbalance"),
                          "manual_approval_on_imbalance")):
        flag = _pick(body, *keys)
        if flag is not _MISSING and flag is not None:
            values[column] = _boolean(flag)
    if "notes" in body:
        values["notes"] = None if body["notes"] is None else str(body["notes"])
        errors.check(not too_long(values["notes"], 500), MAX_SIZE)


@ROUTES.add("PUT", "/relationships/{src}/{dst}", CERT)
def put_relationship(req: Req):
    src, dst = req.path_params["src"], req.path_params["dst"]
    body = req.obj()
    values: dict = {}
    errors = Errors()
    errors.check(src != dst, CUSTOM)
    for party in (src, dst):
        errors.check(not too_long(party, 36), MAX_SIZE)
    _apply(body, values, errors)
    by, source = who(req, body)
    for value in (by, source):
        errors.check(not too_long(value, 120), MAX_SIZE)
    values["updated_by"], values["updated_source"] = by, source
    policy_key = _pick(body, "exportPolicy", "export_policy")
    if policy_key is not _MISSING:
        try:
            resolved = export_policy.resolve(policy_key)
        except ValueError as exc:  # the real CP's JsonSlurper exception → 500
            raise ApiError(500, f"export_policy is not JSON: {exc}") from None
        if resolved is not export_policy.KEEP:
            values["export_policy"] = resolved
    errors.raise_if_any()
    now = dates.now()
    with db.tx() as conn:
        row = conn.execute("SELECT * FROM cp_relationships WHERE source_id = %s AND target_id = %s FOR UPDATE",
                           (src, dst)).fetchone()
        if row is None:
            defaults = {"fx_rate": Decimal(1), "limit_amount": Decimal(0), "status": "active",
                        "approval_mode": "MANUAL", "manual_approval_on_first_trade": False,
                        "manual_approval_on_imbalance": False}
            columns = {**defaults, **values, "id": str(uuid.uuid4()), "source_id": src, "target_id": dst,
                       "version": 0, "date_created": now, "last_updated": now}
            names = ", ".join(columns)
            marks = ", ".join(["%s"] * len(columns))
            row = conn.execute(f"INSERT INTO cp_relationships ({names}) VALUES ({marks}) RETURNING *",
                               tuple(columns.values())).fetchone()
        else:
            values["last_updated"] = now
            sets = ", ".join(f"{k} = %s" for k in values)
            row = conn.execute(f"UPDATE cp_relationships SET {sets}, version = version + 1 WHERE id = %s"
                               " RETURNING *", (*values.values(), row["id"])).fetchone()
    out = signed(rel_json(row))
    if policy_key is not _MISSING:
        # Written even when the policy was invalid and ignored; for an orphan src the FK fails and the
        # answer is a 500 although the relationship is already saved (as in the real CP, §4.2).
        with orphan_source(), db.tx() as conn:
            events.record(conn, src, "RELATIONSHIP_EXPORT_POLICY_UPDATED", {"targetId": dst})
    return out


@contextmanager
def orphan_source():
    """The real CP's answer when the source is not a WL: the package telemetry row violates the cp_telemetry
    foreign key and the uncaught exception renders a 500 (contract §4.2, §4.4, §12.12)."""
    try:
        yield
    except psycopg.errors.ForeignKeyViolation:
        raise ApiError(500, "Relationship source is not a white label: its telemetry row violates the"
                            " cp_telemetry foreign key") from None


@ROUTES.add("GET", "/relationships/{src}/{dst}", CERT)
def show_relationship(req: Req):
    with orphan_source(), db.tx() as conn:
        row = get(conn, req.path_params["src"], req.path_params["dst"])
        if not row:
            raise not_found_empty()
        out = signed(rel_json(row))
        events.record(conn, row["source_id"], "RELATIONSHIP_PACKAGE_SENT",
                         {"signature": out["signature"]["value"], "targetId": row["target_id"]})
    return out


def _truthy_param(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "1", "yes", "on")


@ROUTES.add("GET", "/relationships", CERT)
def list_relationships(req: Req):
    limit, offset = page(req, 100, 200)
    where, params = [], []
    source = req.q("sourceId", "src")
    target = req.q("targetId", "dst") or req.path_params.get("id") or req.q("wlId")
    if source:
        where.append("r.source_id = %s")
        params.append(source)
    if target:
        where.append("r.target_id = %s")
        params.append(target)
    if req.q("status"):
        where.append("r.status = %s")
        params.append(req.q("status").lower())
    if not _truthy_param(req.q("includeOrphans")):
        where.append("EXISTS (SELECT 1 FROM cp_white_labels w WHERE w.id = r.source_id)"
                     " AND EXISTS (SELECT 1 FROM cp_white_labels w WHERE w.id = r.target_id)")
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    with db.tx() as conn:
        count = conn.execute(f"SELECT count(*) AS n FROM cp_relationships r {clause}", params).fetchone()["n"]
        rows = conn.execute(f"SELECT r.* FROM cp_relationships r {clause} ORDER BY r.last_updated DESC"
                            " LIMIT %s OFFSET %s", (*params, limit, offset)).fetchall()
    with_signature = _truthy_param(req.q("signed")) or _truthy_param(req.q("includeSignature"))
    items = []
    for row in rows:
        item = rel_json(row)
        if with_signature:
            item["signature"] = sign(item)
        items.append(item)
    return {"items": items, "count": count}


ROUTES.add("GET", "/wls/{id}/relationships", CERT)(list_relationships)
