"""The reset runbook's steps 1–6 as business operations on a Session.

Each operation does what the runbook's curl/psql lines do and returns what it observed, so steps can
check outcomes (status, body, rows) and not merely that a call returned. What they read back lives in
`support.queries`; the order in which a reset runs them, in `support.reset.phases`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .. import queries
from ..errors import StackError
from ..expect import expect
from ..session import Session
from ..wait import WaitTimeout, until
from .tables import CP_TABLES, EXPORTER_TABLES, IMPORTER_TABLES

# Runbook step 5: the broad export_policy every reset leaves in force (excludes category "15").
BROAD_POLICY = {
    "enabled": True,
    "min_created_at": "2000-01-01T00:00:00Z",
    "include_categories": [],
    "exclude_categories": ["15"],
    "entity_allowlist": [],
    "entity_blocklist": [],
}


# --- step 1: CP --------------------------------------------------------------------------------
def clean_cp(session: Session) -> tuple[str, ...]:
    """TRUNCATE the 15 cp_* tables (the runbook's ten plus the five it misses) that this CP has; return
    (and say, in the step's output) those it lacks: `cp_trades` only exists from a CP migration later
    than the runbook (2026-03), so an older CP is cleaned without it instead of failing."""
    db = session.db
    db.check_destructive_allowed()
    present, absent = queries.present_tables(db.cp, CP_TABLES)
    db.destructive(db.cp, f"TRUNCATE TABLE {', '.join(present)} RESTART IDENTITY CASCADE")
    if absent:
        print(f"Tabelas cp_* que este CP não tem (não truncadas): {', '.join(absent)}")
    session.cp_admin.forget_token()
    return absent


def restart_cp(session: Session) -> None:
    """Restart the CP (the stack controller checks it really restarted), then wait until the bootstrap
    MASTER logs in again, all within XPORY_CP_RESTART_TIMEOUT_SECONDS. A CP that does not come back is
    a setup problem (StackError), not the product's failure."""
    session.stack.restart_cp()
    deadline = session.config.cp_restart_timeout_seconds
    try:
        until(lambda: session.cp_admin.login(session.config.admin_email, session.config.admin_password).status_code,
              lambda status: status == 200, timeout=deadline,
              describe="login do MASTER de bootstrap após o restart do CP")
    except WaitTimeout as exc:
        raise StackError(f"o CP reiniciou mas o MASTER de bootstrap ({session.config.admin_email}) não entrou em "
                         f"{deadline:g}s (XPORY_CP_RESTART_TIMEOUT_SECONDS): {exc}") from None


# --- step 2: WLs -------------------------------------------------------------------------------
def clean_wls(session: Session) -> None:
    db = session.db
    db.check_destructive_allowed(db.exporter, db.importer)
    db.destructive(db.exporter, f"TRUNCATE TABLE {', '.join(EXPORTER_TABLES)} RESTART IDENTITY CASCADE")
    db.destructive(db.importer, f"TRUNCATE TABLE {', '.join(IMPORTER_TABLES)} RESTART IDENTITY CASCADE")


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


# --- step 5: export_policy ---------------------------------------------------------------------
def put_export_policy(session: Session, policy: dict | None) -> dict:
    c = session.config
    body = {"status": "active", "fxRate": 1, "limitAmount": 100000, "export_policy": policy,
            "updatedBy": "bootstrap", "updatedSource": "runbook"}
    return expect(session.cp_admin.put_relationship(c.exporter_wl_id, c.importer_wl_id, body), 200, session,
                  "definir a export_policy exportador → importador")


def force_relationship_cache(session: Session, policy: dict) -> int:
    """The runbook's fallback: write the policy straight into the exporter's cp_relationship_cache."""
    c = session.config
    return session.db.destructive(
        session.db.exporter,
        "UPDATE cp_relationship_cache SET export_policy=%s "
        "WHERE source_white_label_id=%s AND target_white_label_id=%s",
        (json.dumps(policy, separators=(",", ":")), c.exporter_wl_id, c.importer_wl_id),
    )


def cp_export_policy(session: Session) -> dict | None:
    """The export_policy the CP holds now for the exporter → importer relationship (None: none, or no
    relationship yet)."""
    c = session.config
    response = session.cp_admin.get_relationship(c.exporter_wl_id, c.importer_wl_id)
    return response.json().get("export_policy") if response.status_code == 200 else None


def apply_policy_at_exporter(session: Session, policy: dict, *, cp_changed: bool = True) -> str:
    """Wait (with the profile's deadline) until the exporter's cache holds the policy; when the
    profile says not to wait (XPORY_POLICY_WAIT_SECONDS=0) or the wait times out, apply the
    runbook's SQL override. Returns "poll" or "sql" (how the policy arrived).

    `cp_changed=False`: the CP already held this policy before the PUT, so no pull has anything new to bring,
    and a cache the runbook's UPDATE changed may stay as it is (the sandbox's exporter rewrites its cache only
    when the relationship changed on the CP, and a PUT of the same policy within the second of the last one
    changes nothing there: updatedAt has second precision). Then the runbook's UPDATE is applied at once
    instead of waiting the whole deadline for a pull that may never rewrite the cache."""
    wait = session.config.policy_wait_seconds
    if wait > 0 and (cp_changed or queries.cached_policy(session) == policy):
        try:
            until(lambda: queries.cached_policy(session), lambda cached: cached == policy, timeout=wait,
                  interval=0.02, max_interval=0.1, describe="exportador aplicar a export_policy do CP")
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


# --- step 6: peer token and import ---------------------------------------------------------------
def peer_token(session: Session, scopes=("offers:sync", "trader:purchase")) -> str:
    c = session.config
    body = expect(session.cp_peer.peer_token(c.importer_wl_id, c.exporter_wl_id, scopes), 201, session,
                  "peer token (mTLS)")
    token = body.get("token")
    if not token:
        raise AssertionError("o CP respondeu 201 sem token")
    return token


INVALID_TOKEN = "Invalid Control Plane token"
STALE_WARNINGS = ("policy.stale", "relationships.stale")
DEFAULT_SCOPES = ("offers:sync", "trader:purchase")


def _stale(body: dict | None) -> list[str]:
    """The runbook's warning codes in the import's answer, wherever the answer carries them (the runbook
    names the codes, not the key that holds them)."""
    text = json.dumps(body or {}, ensure_ascii=False)
    return [w for w in STALE_WARNINGS if f'"{w}"' in text]


def debug_import(session: Session, token: str, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> dict:
    """The importer's debug import, with the runbook's recovery notes (step 6), all within
    XPORY_IMPORT_TIMEOUT_SECONDS: on `Invalid Control Plane token` a new peer token (same scopes) is
    minted and the import runs again; warnings `policy.stale`/`relationships.stale` (the caches the reset
    truncated, not refilled yet) mean it ran before the importer knew the CP's policy and relationships,
    so it runs again until they clear. Remembers the exporter policy it ran under (`ResetState.imported_under`)."""
    current = {"token": token, "body": None}

    def attempt() -> dict | None:
        response = session.importer.debug_import(current["token"])
        if response.status_code != 200 and INVALID_TOKEN in response.text:
            print(f"debug import: o importador respondeu '{INVALID_TOKEN}'; novo peer token (nota do runbook, passo 6)")
            current["token"], current["body"] = peer_token(session, scopes), None
            return None
        current["body"] = expect(response, 200, session, "debug import do importador")
        if _stale(current["body"]):
            print(f"debug import: avisos {', '.join(_stale(current['body']))} logo após o reset; importando de novo "
                  "(nota do runbook, passo 6)")
        return current["body"]

    timeout = session.config.import_timeout_seconds
    try:
        body = until(attempt, lambda answer: answer is not None and not _stale(answer), timeout=timeout,
                     describe="o debug import do importador (sem token inválido nem caches vencidos)",
                     fatal=(AssertionError, StackError),
                     interval=0.5, max_interval=2.0)
    except WaitTimeout:
        if current["body"] is None:
            raise AssertionError(f"o importador recusou ('{INVALID_TOKEN}') cada peer token novo por {timeout:g}s") from None
        raise StackError(f"o debug import ainda avisa {', '.join(_stale(current['body']))} depois de {timeout:g}s "
                         "(XPORY_IMPORT_TIMEOUT_SECONDS): o importador não repovoou os caches do CP "
                         "(cp_policy_cache / cp_relationship_cache) após o reset.") from None
    session.reset_state.imported_under = queries.cached_policy(session)
    return body
