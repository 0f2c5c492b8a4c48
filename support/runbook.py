"""The reset runbook (`reset-environment.md`, steps 1–6) as business operations on a Session.

Each operation does what the runbook's curl/psql lines do and returns what it observed, so steps can
check outcomes (status, body, rows) and not merely that a call returned.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from .errors import StackError
from .http import describe
from .session import Session
from .wait import until

# Runbook step 1: the ten tables the runbook truncates ...
RUNBOOK_CP_TABLES = (
    "cp_trade_approvals", "cp_telemetry", "cp_relationships", "cp_white_label_policy_revisions",
    "cp_white_label_policies", "cp_white_label_keys", "cp_trader_accounts", "cp_white_labels",
    "cp_users", "cp_imbalance_signals",
)
# ... and the five it misses (no FKs, so CASCADE never reaches them; contract cp.md §10.1).
MISSED_CP_TABLES = (
    "cp_trades", "cp_notifications", "cp_notification_recipients",
    "cp_offer_category_snapshots", "cp_entity_snapshots",
)
CP_TABLES = RUNBOOK_CP_TABLES + MISSED_CP_TABLES

# Runbook step 2.
EXPORTER_TABLES = ("cp_policy_cache", "cp_relationship_cache", "offer_export_index", "cross_wl_trade")
IMPORTER_TABLES = ("cp_policy_cache", "cp_relationship_cache", "offer_export_index", "imported_offer",
                   "cross_wl_trade")

BROAD_POLICY = {
    "enabled": True,
    "min_created_at": "2000-01-01T00:00:00Z",
    "include_categories": [],
    "exclude_categories": ["15"],
    "entity_allowlist": [],
    "entity_blocklist": [],
}


def expect(response: httpx.Response, status: int | tuple[int, ...], session: Session, what: str) -> Any:
    """The JSON body of a response with the expected status, or a failure carrying the call's data."""
    wanted = (status,) if isinstance(status, int) else status
    if response.status_code not in wanted:
        raise AssertionError(f"{what}: esperava HTTP {'/'.join(map(str, wanted))}, veio "
                             f"{describe(response, session.masker)}")
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise AssertionError(f"{what}: a resposta não é JSON: {describe(response, session.masker)}") from None


# --- step 1: CP --------------------------------------------------------------------------------
def clean_cp(session: Session) -> None:
    """TRUNCATE all 15 cp_* tables (the runbook's ten plus the five it misses)."""
    session.db.check_destructive_allowed()
    session.db.destructive(session.db.cp, f"TRUNCATE TABLE {', '.join(CP_TABLES)} RESTART IDENTITY CASCADE")
    session.cp_admin.forget_token()


def restart_cp(session: Session) -> None:
    """`docker compose restart controlplane`, then wait until the bootstrap users log in again."""
    session.stack.restart_cp()
    until(lambda: session.cp_admin.login(session.config.admin_email, session.config.admin_password).status_code,
          lambda status: status == 200, timeout=session.config.startup_timeout_seconds,
          describe="login do MASTER de bootstrap após o restart do CP")


def cp_row_counts(session: Session, tables: tuple[str, ...] = CP_TABLES) -> dict[str, int]:
    with session.db.cp.connect() as conn:
        return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in tables}


# --- step 2: WLs -------------------------------------------------------------------------------
def clean_wls(session: Session) -> None:
    db = session.db
    db.check_destructive_allowed(db.exporter, db.importer)
    db.destructive(db.exporter, f"TRUNCATE TABLE {', '.join(EXPORTER_TABLES)} RESTART IDENTITY CASCADE")
    db.destructive(db.importer, f"TRUNCATE TABLE {', '.join(IMPORTER_TABLES)} RESTART IDENTITY CASCADE")


def wl_row_counts(session: Session) -> dict[str, dict[str, int]]:
    out = {}
    for name, db, tables in (("wl-01", session.db.exporter, EXPORTER_TABLES),
                             ("wl-03", session.db.importer, IMPORTER_TABLES)):
        with db.connect() as conn:
            out[name] = {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in tables}
    return out


# --- step 3: WLs, policies, relationships, trader accounts ---------------------------------------
@dataclass
class WlPlan:
    role: str  # exporter | importer
    wl_id: str
    name: str
    description: str
    contact_email: str
    gateway_url: str
    import_enabled: bool
    export_enabled: bool
    trader_name: str
    trader_phone: str


def wl_plans(session: Session) -> tuple[WlPlan, WlPlan]:
    c = session.config
    return (
        WlPlan("exporter", c.exporter_wl_id, "wl-exporter", "Exporter WL", "exporter@example.com",
               c.exporter_gateway_url, False, True, "Conta Trader Exporter", "+55 11 90000-0001"),
        WlPlan("importer", c.importer_wl_id, "wl-importer", "Importer WL", "importer@example.com",
               c.importer_gateway_url, True, False, "Conta Trader Importer", "+55 11 90000-0002"),
    )


@dataclass
class Recreated:
    name: str
    requested_id: str
    created_id: str
    final_id: str
    renamed: bool


def recreate_wl(session: Session, plan: WlPlan) -> Recreated:
    """POST /wls with the fixed id; when the CP discards it, rename with PUT /wls/{id} {"id": fixed}."""
    body = {
        "id": plan.wl_id, "name": plan.name, "description": plan.description,
        "contactEmail": plan.contact_email, "gatewayUrl": plan.gateway_url, "status": "active",
        "policy": {"importEnabled": plan.import_enabled, "exportEnabled": plan.export_enabled,
                   "exportDelaySeconds": 0, "visibilityEnabled": True, "policyRevision": "baseline"},
    }
    created = expect(session.cp_admin.create_wl(body), 201, session, f"criar o WL {plan.name}")
    created_id = created["id"]
    renamed = False
    if created_id != plan.wl_id:
        renamed_body = expect(session.cp_admin.update_wl(created_id, {"id": plan.wl_id}), 200, session,
                              f"renomear o WL {plan.name} para o id fixo")
        renamed = True
        if renamed_body and renamed_body.get("id") not in (None, plan.wl_id):
            raise AssertionError(f"o rename do WL {plan.name} devolveu id {renamed_body.get('id')}")
    return Recreated(plan.name, plan.wl_id, created_id, plan.wl_id, renamed)


def set_visibility(session: Session, plan: WlPlan, partner_id: str) -> dict:
    body = {"importEnabled": plan.import_enabled, "exportEnabled": plan.export_enabled,
            "exportDelaySeconds": 0, "visibilityEnabled": True, "visibilityWls": [partner_id],
            "policyRevision": "baseline", "updatedBy": "bootstrap", "updatedSource": "runbook"}
    return expect(session.cp_admin.put_policies(plan.wl_id, body), 200, session,
                  f"política de visibilidade do {plan.name}")


def activate_relationship(session: Session, src: str, dst: str) -> dict:
    body = {"status": "active", "fxRate": 1, "limitAmount": 100000, "updatedBy": "bootstrap",
            "updatedSource": "runbook"}
    return expect(session.cp_admin.put_relationship(src, dst, body), 200, session,
                  f"relacionamento {src} → {dst}")


def create_trader(session: Session, plan: WlPlan) -> dict:
    body = {"name": plan.trader_name, "status": "active", "contactEmail": plan.contact_email,
            "contactPhone": plan.trader_phone}
    return expect(session.cp_admin.upsert_trader(plan.wl_id, body), 200, session,
                  f"conta trader do {plan.name}")


# --- step 4: snapshots -------------------------------------------------------------------------
def sync_snapshots(session: Session) -> tuple[dict, dict]:
    exporter = session.config.exporter_wl_id
    categories = expect(session.cp_admin.sync_categories(exporter), 200, session, "sincronizar categorias")
    entities = expect(session.cp_admin.sync_entities(exporter), 200, session, "sincronizar entidades")
    return categories, entities


def all_pages(session: Session, fetch, what: str, page: int = 1000) -> list[dict]:
    items: list[dict] = []
    offset = 0
    while True:
        body = expect(fetch(limit=page, offset=offset), 200, session, what)
        batch = body.get("items", [])
        items.extend(batch)
        offset += len(batch)
        if not batch or offset >= body.get("count", 0):
            return items


def category_snapshot(session: Session) -> list[dict]:
    wl = session.config.exporter_wl_id
    return all_pages(session, lambda **p: session.cp_admin.categories(wl, **p), "listar categorias")


def entity_snapshot(session: Session) -> list[dict]:
    wl = session.config.exporter_wl_id
    return all_pages(session, lambda **p: session.cp_admin.entities(wl, **p), "listar entidades")


# --- step 5: export_policy ---------------------------------------------------------------------
def put_export_policy(session: Session, policy: dict | None) -> dict:
    c = session.config
    body = {"status": "active", "fxRate": 1, "limitAmount": 100000, "export_policy": policy,
            "updatedBy": "bootstrap", "updatedSource": "runbook"}
    return expect(session.cp_admin.put_relationship(c.exporter_wl_id, c.importer_wl_id, body), 200, session,
                  "definir a export_policy exportador → importador")


def force_relationship_cache(session: Session, policy: dict) -> int:
    """The runbook's fallback: write the policy straight into the exporter's cp_relationship_cache."""
    import json

    c = session.config
    return session.db.destructive(
        session.db.exporter,
        "UPDATE cp_relationship_cache SET export_policy=%s "
        "WHERE source_white_label_id=%s AND target_white_label_id=%s",
        (json.dumps(policy, separators=(",", ":")), c.exporter_wl_id, c.importer_wl_id),
    )


def exporter_total(session: Session) -> int:
    body = expect(session.exporter.export_offers(session.config.importer_wl_id, limit=1), 200, session,
                  "total exportado pelo exportador")
    return int(body["total"])


# --- step 6: peer token and import ---------------------------------------------------------------
def peer_token(session: Session, scopes=("offers:sync", "trader:purchase")) -> str:
    c = session.config
    body = expect(session.cp_peer.peer_token(c.importer_wl_id, c.exporter_wl_id, scopes), 201, session,
                  "peer token (mTLS)")
    token = body.get("token")
    if not token:
        raise AssertionError("o CP respondeu 201 sem token")
    return token


def debug_import(session: Session, token: str) -> dict:
    """The importer's debug import; remembers the exporter policy it ran under."""
    body = expect(session.importer.debug_import(token), 200, session, "debug import do importador")
    session.stack_state["imported_under"] = cached_policy(session)
    return body


def buyable_offer_ids(session: Session, limit: int = 20) -> list[int]:
    """The runbook's query of imported offers that can be bought."""
    rows = session.db.importer.rows(
        "SELECT offer_id FROM imported_offer WHERE eligible=true AND lifecycle_status='ENABLED' "
        "AND COALESCE(offers_available,0) > 0 ORDER BY offer_id LIMIT %s", (limit,))
    return [int(r["offer_id"]) for r in rows]


def apply_policy_at_exporter(session: Session, policy: dict) -> str:
    """Wait (with the profile's deadline) until the exporter's cache holds the policy; when the
    profile says not to wait (XPORY_POLICY_WAIT_SECONDS=0) or the wait times out, apply the
    runbook's SQL override. Returns "poll" or "sql" (how the policy arrived)."""
    from .wait import WaitTimeout

    wait = session.config.policy_wait_seconds
    if wait > 0:
        try:
            until(lambda: cached_policy(session), lambda cached: cached == policy, timeout=wait,
                  describe="exportador aplicar a export_policy do CP")
            return "poll"
        except WaitTimeout:
            pass
    if force_relationship_cache(session, policy) == 1:
        return "sql"
    # The runbook's UPDATE needs the row the exporter writes when it first pulls the relationship
    # (right after a reset the cache is empty): wait for that pull, then apply the override.
    pull = session.config.relationship_pull_timeout_seconds
    try:
        until(lambda: force_relationship_cache(session, policy), lambda updated: updated == 1, timeout=pull,
              interval=0.2, max_interval=2.0, describe="o exportador puxar o relacionamento do CP")
    except WaitTimeout:
        raise StackError(
            f"o UPDATE de cp_relationship_cache não encontrou o relacionamento exportador → importador no banco do "
            f"exportador em {pull:g}s: o exportador não puxou o relacionamento do CP (APP_CP_RELATIONSHIP_PEERS?). "
            "Aumente XPORY_RELATIONSHIP_PULL_TIMEOUT_SECONDS ou confira o exportador.") from None
    return "sql"


def cached_policy(session: Session) -> dict | None:
    import json

    c = session.config
    raw = session.db.exporter.scalar(
        "SELECT export_policy FROM cp_relationship_cache WHERE source_white_label_id=%s AND target_white_label_id=%s",
        (c.exporter_wl_id, c.importer_wl_id))
    if raw in (None, ""):
        return None
    return json.loads(raw) if isinstance(raw, str) else raw


# --- the reset as ordered phases, so each scenario's "Dado" can bring the stack to the state it needs
def _configure_wls(session: Session) -> None:
    exporter_plan, importer_plan = wl_plans(session)
    set_visibility(session, exporter_plan, importer_plan.wl_id)
    set_visibility(session, importer_plan, exporter_plan.wl_id)
    activate_relationship(session, exporter_plan.wl_id, importer_plan.wl_id)
    activate_relationship(session, importer_plan.wl_id, exporter_plan.wl_id)
    for plan in (exporter_plan, importer_plan):
        create_trader(session, plan)


def _set_broad_policy(session: Session) -> None:
    put_export_policy(session, BROAD_POLICY)
    apply_policy_at_exporter(session, BROAD_POLICY)


PHASES = (
    ("CP limpo e reiniciado", lambda s: (clean_cp(s), restart_cp(s))),
    ("WLs limpos", clean_wls),
    ("WLs recriados com ids fixos", lambda s: [recreate_wl(s, p) for p in wl_plans(s)]),
    ("visibilidade, relacionamentos e contas trader", _configure_wls),
    ("snapshots sincronizados", sync_snapshots),
    ("export_policy ampla aplicada no exportador", _set_broad_policy),
    ("ofertas importadas", lambda s: debug_import(s, peer_token(s))),
)
PHASE = {name: number for number, (name, _) in enumerate(PHASES, start=1)}


def reach(session: Session, phase: int) -> None:
    """Bring the stack exactly to `phase`, continuing from where the run left off.

    The progress lives in `session.stack_state["reset_phase"]`. When the stack is already past
    `phase` (or in a state outside this sequence: None), the reset starts over from phase 1, so a
    scenario never sees what a later phase added.
    """
    state = session.stack_state
    current = state.get("reset_phase") or 0
    if current == phase:
        return
    if current > phase:
        current = 0
    if current == 0:
        state.clear()  # a new reset: nothing known of the old state holds any more
    for number in range(current + 1, phase + 1):
        PHASES[number - 1][1](session)
        state["reset_phase"] = number


def at_least(session: Session, phase: int) -> None:
    """Bring the stack to `phase` or keep it where it is when it is already past it (for steps whose
    claim also holds in the later phases, e.g. "the relationship is active")."""
    current = session.stack_state.get("reset_phase")
    if current is None or current < phase:
        reach(session, phase)


def mark(session: Session, phase: int | None) -> None:
    session.stack_state["reset_phase"] = phase


def ensure_ready_environment(session: Session) -> tuple[list[dict], list[dict]]:
    """The state the trade features start from: the full reset done, the broad export_policy in force
    at the CP and at the exporter, and the last import made under it. A full reset runs only when the
    run has none yet (or a scenario left the stack outside the reset sequence); when only the policy
    moved (the export_policy feature, an edit in the Admin UI), the broad policy is put back and the
    import is redone. Returns the CP snapshots (categories, entities)."""
    state = session.stack_state
    if state.get("reset_phase") != PHASE["ofertas importadas"] or "categories" not in state:
        reach(session, PHASE["ofertas importadas"])
        state["categories"] = category_snapshot(session)
        state["entities"] = entity_snapshot(session)
    elif not broad_policy_in_force(session):
        _set_broad_policy(session)
        debug_import(session, peer_token(session))
    return state["categories"], state["entities"]


def broad_policy_in_force(session: Session) -> bool:
    c = session.config
    relationship = expect(session.cp_admin.get_relationship(c.exporter_wl_id, c.importer_wl_id), 200, session,
                          "relacionamento exportador → importador")
    return (relationship.get("export_policy") == BROAD_POLICY and cached_policy(session) == BROAD_POLICY
            and session.stack_state.get("imported_under") == BROAD_POLICY)


# --- evidence of a previous run, for the cleanup scenarios ----------------------------------------
def leave_previous_run_traces(session: Session) -> None:
    """Make sure the CP holds rows in the five tables the runbook's TRUNCATE misses: snapshots (a
    sync), and a trade with its notifications (a TRADER_PURCHASE event sent like a WL sends it)."""
    import datetime as dt
    import uuid

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


def database_now(db):
    """The database server's clock (to compare with its own timestamps)."""
    return db.scalar("SELECT now() AS now")


def users_created_before(session: Session, instant) -> list[str]:
    return [r["email"] for r in session.db.cp.rows("SELECT email FROM cp_users WHERE date_created < %s",
                                                   (instant,))]


def users_by_role(session: Session) -> dict[str, dict]:
    rows = session.db.cp.rows("SELECT id, email, role, status, date_created FROM cp_users")
    return {row["role"]: row for row in rows}


def buyer_rows(session: Session) -> dict:
    """The bulk buyer's privilege rows and X$ balance row (runbook step 7 tables)."""
    c = session.config
    privileges = session.db.importer.rows(
        "SELECT id, buy_offer FROM account_privileges WHERE account_id=%s ORDER BY id", (c.buyer_account_id,))
    balance = session.db.importer.rows("SELECT id, value FROM xbalance WHERE id=%s", (c.buyer_xbalance_id,))
    return {"account_privileges": privileges, "xbalance": balance}


def stale_cache_rows(session: Session, since) -> dict[str, int]:
    """Cache rows in either WL fetched before `since` (a WL may re-pull fresh rows at any time)."""
    out = {}
    for wl, db in (("wl-01", session.db.exporter), ("wl-03", session.db.importer)):
        for table in ("cp_policy_cache", "cp_relationship_cache"):
            n = db.scalar(f"SELECT count(*) AS n FROM {table} WHERE fetched_at < %s", (since,))
            if n:
                out[f"{wl}.{table}"] = n
    return out


def imported_in_category(session: Session, category: str) -> list[int]:
    """Imported offers (storefront ids) whose origin offer at the exporter is in `category`."""
    rows = session.db.importer.rows("SELECT offer_id, origin_offer_id FROM imported_offer")
    if not rows:
        return []
    origin_to_local = {int(r["origin_offer_id"]): int(r["offer_id"]) for r in rows}
    hits = session.db.exporter.rows("SELECT id FROM offer WHERE category_id=%s AND id = ANY(%s)",
                                    (category, list(origin_to_local)))
    return sorted(origin_to_local[int(h["id"])] for h in hits)
