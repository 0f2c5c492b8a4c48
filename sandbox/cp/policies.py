"""Baseline policies (contract §3.4–§3.8): the policy object, signed GET with cache headers,
PUT with revisions, revision history and the bulk `/policies/pull`."""
from __future__ import annotations

import json
import os
import uuid

from . import dates, db, events, traders
from .coerce import as_bool, int_or_400, truthy
from .signature import sign, signed
from .validation import MAX_SIZE, RANGE, Errors, too_long
from .web import CERT, ApiError, Req, Routes, json_response, not_found_empty

ROUTES = Routes()

def cache_ttl() -> int:
    try:
        return int(os.environ.get("SANDBOX_POLICY_CACHE_TTL_SECONDS", "300"))
    except ValueError:
        return 300


def cache_headers() -> dict:
    ttl = cache_ttl()
    return {"Cache-Control": f"private, max-age={ttl}", "X-Policy-Cache-Ttl": str(ttl)}


def wl_list(value) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",") if value is not None else []
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def _visibility(row: dict) -> list:
    try:
        parsed = json.loads(row["visibility_wls"] or "[]")
        return parsed if isinstance(parsed, list) else []
    except ValueError:
        return []


def get_policy(conn, wl_id: str) -> dict | None:
    return conn.execute("SELECT * FROM cp_white_label_policies WHERE white_label_id = %s", (wl_id,)).fetchone()


def policy_json(conn, row: dict) -> dict:
    vis = _visibility(row)
    return {
        "id": row["id"], "whiteLabelId": row["white_label_id"], "white_label_id": row["white_label_id"],
        "importEnabled": row["import_enabled"], "exportEnabled": row["export_enabled"],
        "exportDelaySeconds": row["export_delay_seconds"], "exportDelayDays": row["export_delay_days"],
        "visibilityEnabled": row["visibility_enabled"], "visibilityWls": vis,
        "policyRevision": row["policy_revision"], "updatedBy": row["updated_by"],
        "updatedSource": row["updated_source"], "effectiveFrom": row["effective_from"],
        "lastUpdated": row["last_updated"], "cacheTtlSeconds": cache_ttl(),
        "import_enabled": row["import_enabled"], "export_enabled": row["export_enabled"],
        "export_delay_days": row["export_delay_days"], "visibility_wls": vis,
        "updated_by": row["updated_by"], "updated_source": row["updated_source"],
        "traderAccount": traders.trader_json_for(conn, row["white_label_id"]),
    }


def policy_json_for(conn, wl_id: str) -> dict | None:
    row = get_policy(conn, wl_id)
    return policy_json(conn, row) if row else None


def create_baseline(conn, wl_id: str, given: dict, delay: int) -> None:
    """The policy written at registration (no revision; exportDelayDays stays 0; visibilityWls ignored)."""
    now = dates.now()
    revision = given.get("policyRevision") or given.get("version") or "baseline"
    conn.execute(
        "INSERT INTO cp_white_label_policies (id, version, white_label_id, import_enabled, export_enabled,"
        " export_delay_seconds, visibility_enabled, policy_revision, effective_from, date_created, last_updated,"
        " export_delay_days, visibility_wls) VALUES (%s, 0, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0, '[]')",
        (str(uuid.uuid4()), wl_id, truthy(given.get("importEnabled")), truthy(given.get("exportEnabled")),
         delay, truthy(given.get("visibilityEnabled")), str(revision)[:50], now, now, now))


def who(req: Req, body: dict) -> tuple[str | None, str | None]:
    """(updatedBy, updatedSource) as the real controllers resolve them (headers beat snake_case)."""
    by = body.get("updatedBy")
    if by is None:
        by = req.header("x-client-id") or req.header("x-admin-id") or body.get("updated_by")
    source = body.get("updatedSource") or body.get("updated_source") or body.get("source")
    if source is None:
        source = req.header("x-client-source") or req.header("x-source")
    return (None if by is None else str(by)), (None if source is None else str(source))


@ROUTES.add("GET", "/wls/{id}/policies", CERT)
def get_policies(req: Req):
    with db.tx() as conn:
        row = get_policy(conn, req.path_params["id"])
        if not row:
            raise not_found_empty()
        body = signed(policy_json(conn, row))
        # payload {signature: <the signature's value>}, as GovernanceTelemetryService records it
        events.record(conn, row["white_label_id"], "POLICY_PACKAGE_SENT", {"signature": body["signature"]["value"]})
    return json_response(body, headers=cache_headers())


@ROUTES.add("PUT", "/wls/{id}/policies", CERT)
def put_policies(req: Req):
    body = req.obj()
    with db.tx() as conn:
        row = get_policy(conn, req.path_params["id"])
        if not row:
            raise ApiError(400, "Unknown white label id")
        new = {k: row[k] for k in ("import_enabled", "export_enabled", "export_delay_seconds",
                                   "export_delay_days", "visibility_enabled", "policy_revision",
                                   "effective_from")}
        new["visibility_wls"] = _visibility(row)
        for key, column in (("importEnabled", "import_enabled"), ("exportEnabled", "export_enabled"),
                            ("visibilityEnabled", "visibility_enabled")):
            if key in body:
                new[column] = as_bool(body[key])
        errors = Errors()
        if "exportDelaySeconds" in body and body["exportDelaySeconds"] is not None:
            seconds = int_or_400(body["exportDelaySeconds"], 0)
            errors.check(0 <= seconds <= 86400, RANGE)
            new["export_delay_seconds"] = seconds
            if body.get("exportDelayDays") is None:
                new["export_delay_days"] = int(seconds / 86400 + 0.5)
        if body.get("exportDelayDays") is not None:
            days = int_or_400(body["exportDelayDays"], 0)
            errors.check(0 <= days <= 365, RANGE)
            new["export_delay_days"] = days
        if "visibilityWls" in body:
            new["visibility_wls"] = wl_list(body["visibilityWls"])
        if body.get("policyRevision") not in (None, ""):
            revision = str(body["policyRevision"])
            errors.check(len(revision) <= 50, MAX_SIZE)
            new["policy_revision"] = revision
        if body.get("effectiveFrom") not in (None, ""):
            parsed = dates.parse_offset(body["effectiveFrom"])
            if parsed is None:
                raise ApiError(400, "effectiveFrom must be an ISO-8601 timestamp")
            new["effective_from"] = parsed
        by, source = who(req, body)
        for value in (by, source):
            errors.check(not too_long(value, 120), MAX_SIZE)
        errors.raise_if_any()
        by = by if by is not None else row["updated_by"]
        source = source if source is not None else row["updated_source"]
        changed = any(new[k] != (row[k] if k != "visibility_wls" else _visibility(row)) for k in new)
        now = dates.now()
        conn.execute(
            "UPDATE cp_white_label_policies SET import_enabled = %s, export_enabled = %s,"
            " export_delay_seconds = %s, export_delay_days = %s, visibility_enabled = %s, policy_revision = %s,"
            " effective_from = %s, visibility_wls = %s, updated_by = %s, updated_source = %s, last_updated = %s,"
            " version = version + 1 WHERE id = %s",
            (new["import_enabled"], new["export_enabled"], new["export_delay_seconds"], new["export_delay_days"],
             new["visibility_enabled"], new["policy_revision"], new["effective_from"],
             json.dumps(new["visibility_wls"]), by, source, now, row["id"]))
        if changed:
            _write_revision(conn, row, new, by, source, now)
        out = policy_json(conn, get_policy(conn, row["white_label_id"]))
    return json_response(out, headers=cache_headers())


def _write_revision(conn, row: dict, new: dict, by, source, now) -> None:
    snapshot = {"whiteLabelId": row["white_label_id"], "importEnabled": new["import_enabled"],
                "exportEnabled": new["export_enabled"], "exportDelaySeconds": new["export_delay_seconds"],
                "exportDelayDays": new["export_delay_days"], "visibilityEnabled": new["visibility_enabled"],
                "visibilityWls": new["visibility_wls"], "policyRevision": new["policy_revision"],
                "effectiveFrom": dates.groovy(new["effective_from"]), "updatedBy": by, "updatedSource": source}
    conn.execute(
        "INSERT INTO cp_white_label_policy_revisions (id, version, white_label_id, policy_id, policy_revision,"
        " payload, updated_by, updated_source, effective_from, date_created) VALUES"
        " (%s, 0, %s, %s, %s, %s, %s, %s, %s, %s)",
        (str(uuid.uuid4()), row["white_label_id"], row["id"], new["policy_revision"], json.dumps(snapshot),
         by, source, new["effective_from"], now))


@ROUTES.add("GET", "/wls/{id}/policies/revisions", CERT)
def revisions(req: Req):
    limit = req.qint("limit", 20) or 20
    limit = max(1, min(limit, 100))
    offset = max(0, req.qint("offset", 0) or 0)
    with db.tx() as conn:
        if not conn.execute("SELECT 1 FROM cp_white_labels WHERE id = %s", (req.path_params["id"],)).fetchone():
            raise not_found_empty()
        wl_id = req.path_params["id"]
        count = conn.execute("SELECT count(*) AS n FROM cp_white_label_policy_revisions WHERE white_label_id = %s",
                             (wl_id,)).fetchone()["n"]
        rows = conn.execute("SELECT * FROM cp_white_label_policy_revisions WHERE white_label_id = %s"
                            " ORDER BY date_created DESC LIMIT %s OFFSET %s", (wl_id, limit, offset)).fetchall()
    items = [{"id": r["id"], "policyRevision": r["policy_revision"], "updatedBy": r["updated_by"],
              "updatedSource": r["updated_source"], "effectiveFrom": r["effective_from"],
              "dateCreated": r["date_created"], "payload": json.loads(r["payload"])} for r in rows]
    return {"items": items, "count": count, "limit": limit, "offset": offset}


@ROUTES.add("POST", "/policies/pull")  # no guard in the real CP
def pull(req: Req):
    body = req.obj()
    since = None
    if body.get("since") not in (None, ""):
        since = dates.parse_offset(body["since"])
        if since is None:
            raise ApiError(400, "since must be ISO-8601 timestamp")
    ids = wl_list(body.get("whiteLabelIds")) if body.get("whiteLabelIds") is not None else []
    where, params = [], []
    if ids:
        where.append("white_label_id = ANY(%s)")
        params.append(ids)
    if since is not None:
        where.append("last_updated >= %s")
        params.append(since)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    with db.tx() as conn:
        rows = conn.execute(f"SELECT * FROM cp_white_label_policies {clause} ORDER BY last_updated DESC",
                            params).fetchall()
        items = []
        for row in rows:
            full = policy_json(conn, row)
            items.append({"whiteLabelId": full["whiteLabelId"], "white_label_id": full["whiteLabelId"],
                          "policyId": row["id"], **{k: full[k] for k in (
                              "importEnabled", "exportEnabled", "exportDelaySeconds", "exportDelayDays",
                              "visibilityEnabled", "visibilityWls", "policyRevision", "effectiveFrom",
                              "lastUpdated", "traderAccount", "import_enabled", "export_enabled",
                              "export_delay_days", "visibility_wls")}})
        out = {"generatedAt": dates.now(), "count": len(items), "items": items}
        out["signature"] = sign(out)
        for item in items:
            events.record(conn, item["whiteLabelId"], "POLICY_PACKAGE_SENT", {"signature": out["signature"]["value"]})
    return json_response(out, headers=cache_headers())
