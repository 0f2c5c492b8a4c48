"""White labels (contract §3.1–§3.3): list, register, show, update and id rename."""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import psycopg

from . import dates, db, policies
from .coerce import int_or_400
from .validation import BLANK, EMAIL, IN_LIST, MAX_SIZE, RANGE, UNIQUE, Errors, is_email, too_long
from .web import CERT, ApiError, Req, Routes, json_response, not_found_empty, page

ROUTES = Routes()

STATUSES = ("active", "inactive")


def get(conn, wl_id: str) -> dict | None:
    return conn.execute("SELECT * FROM cp_white_labels WHERE id = %s", (wl_id,)).fetchone()


def wl_json(conn, row: dict) -> dict:
    return {"id": row["id"], "name": row["name"], "description": row["description"],
            "contactEmail": row["contact_email"], "gatewayUrl": row["gateway_url"], "status": row["status"],
            "baselinePolicy": policies.policy_json_for(conn, row["id"])}


def _validate(conn, errors: Errors, fields: dict, current_id: str | None) -> None:
    name = fields.get("name")
    if name is not None:
        errors.check(not too_long(name, 120), MAX_SIZE)
        errors.check(str(name).strip() != "", BLANK)
        dup = conn.execute("SELECT 1 FROM cp_white_labels WHERE name = %s AND id IS DISTINCT FROM %s",
                           (name, current_id)).fetchone()
        errors.check(dup is None, UNIQUE)
    email = fields.get("contact_email")
    if email is not None:
        errors.check(is_email(str(email)), EMAIL)
        errors.check(not too_long(email, 150), MAX_SIZE)
    errors.check(not too_long(fields.get("description"), 500), MAX_SIZE)
    errors.check(not too_long(fields.get("gateway_url"), 500), MAX_SIZE)
    if fields.get("status") is not None:
        errors.check(fields["status"] in STATUSES, IN_LIST)


@contextmanager
def _unique_name():
    """A name taken by a request that committed between our check and our write: the same 422 as the check."""
    try:
        yield
    except psycopg.errors.UniqueViolation:
        raise ApiError(422, body={"error": "Validation failed", "details": [UNIQUE]}) from None


def _opt(value):
    return None if value is None else str(value)


@ROUTES.add("GET", "/wls", CERT)
def list_wls(req: Req):
    limit, offset = page(req, 100, 200)
    where, params = [], []
    if req.q("status"):
        where.append("status = %s")
        params.append(req.q("status"))
    if req.q("q"):
        where.append("(lower(name) LIKE %s OR lower(id) LIKE %s)")
        like = f"%{req.q('q').lower()}%"
        params += [like, like]
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    with db.tx() as conn:
        count = conn.execute(f"SELECT count(*) AS n FROM cp_white_labels {clause}", params).fetchone()["n"]
        rows = conn.execute(f"SELECT * FROM cp_white_labels {clause} ORDER BY name LIMIT %s OFFSET %s",
                            (*params, limit, offset)).fetchall()
        return {"items": [wl_json(conn, r) for r in rows], "count": count}


@ROUTES.add("POST", "/wls", CERT)
def create_wl(req: Req):
    body = req.obj()
    if not body.get("name"):
        raise ApiError(400, "name is required")
    if not body.get("contactEmail"):
        raise ApiError(400, "contactEmail is required")
    policy_in = body.get("policy") if isinstance(body.get("policy"), dict) else {}
    fields = {"name": str(body["name"]), "description": _opt(body.get("description")),
              "contact_email": str(body["contactEmail"]), "gateway_url": _opt(body.get("gatewayUrl")),
              "status": str(body.get("status") or "active")}
    delay = int_or_400(policy_in.get("exportDelaySeconds"), 0)
    # Client-supplied `id` is discarded: the real domain's uuid2 generator always assigns a new one (§3.1).
    wl_id = str(uuid.uuid4())
    with _unique_name(), db.tx() as conn:
        errors = Errors()
        _validate(conn, errors, fields, None)
        errors.check(0 <= delay <= 86400, RANGE)
        errors.raise_if_any()
        now = dates.now()
        conn.execute(
            "INSERT INTO cp_white_labels (id, version, name, description, contact_email, status, date_created,"
            " last_updated, gateway_url) VALUES (%s, 0, %s, %s, %s, %s, %s, %s, %s)",
            (wl_id, fields["name"], fields["description"], fields["contact_email"], fields["status"], now, now,
             fields["gateway_url"]))
        policies.create_baseline(conn, wl_id, policy_in, delay)
        return json_response(wl_json(conn, get(conn, wl_id)), 201)


@ROUTES.add("GET", "/wls/{id}", CERT)
def show_wl(req: Req):
    with db.tx() as conn:
        row = get(conn, req.path_params["id"])
        if not row:
            raise not_found_empty()
        return wl_json(conn, row)


@ROUTES.add("PUT", "/wls/{id}")  # no guard in the real CP (contract §1, §12.2)
def update_wl(req: Req):
    body = req.obj()
    with _unique_name(), db.tx() as conn:
        row = get(conn, req.path_params["id"])
        if not row:
            raise not_found_empty()
        wl_id = row["id"]
        new_id = None
        if "id" in body:
            new_id = "" if body["id"] is None else str(body["id"]).strip()
            if not new_id:
                raise ApiError(400, "id is required")
            if new_id != wl_id and get(conn, new_id):
                raise ApiError(400, "id already in use")
        fields = {}
        if body.get("name") is not None:
            fields["name"] = str(body["name"])
        if body.get("contactEmail") is not None:
            fields["contact_email"] = str(body["contactEmail"])
        if "description" in body:
            fields["description"] = _opt(body["description"])
        if "gatewayUrl" in body:
            fields["gateway_url"] = _opt(body["gatewayUrl"])
        if body.get("status") is not None:
            fields["status"] = str(body["status"])
        errors = Errors()
        _validate(conn, errors, fields, wl_id)
        errors.raise_if_any()
        if new_id and new_id != wl_id:
            rename(conn, wl_id, new_id)
            wl_id = new_id
        if fields:
            fields["last_updated"] = dates.now()
            sets = ", ".join(f"{k} = %s" for k in fields)
            conn.execute(f"UPDATE cp_white_labels SET {sets}, version = version + 1 WHERE id = %s",
                         (*fields.values(), wl_id))
        return wl_json(conn, get(conn, wl_id))


def rename(conn, old: str, new: str) -> None:
    """The real CP's raw-SQL rename; ON UPDATE CASCADE FKs carry it into policies, revisions,
    keys, telemetry and trader accounts. Trades, approvals, notifications and snapshots keep the old id."""
    conn.execute("UPDATE cp_relationships SET source_id = %s WHERE source_id = %s", (new, old))
    conn.execute("UPDATE cp_relationships SET target_id = %s WHERE target_id = %s", (new, old))
    conn.execute("UPDATE cp_imbalance_signals SET source_id = %s WHERE source_id = %s", (new, old))
    conn.execute("UPDATE cp_imbalance_signals SET target_id = %s WHERE target_id = %s", (new, old))
    conn.execute("UPDATE cp_white_labels SET id = %s WHERE id = %s", (new, old))
