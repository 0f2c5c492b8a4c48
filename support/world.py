"""What the steps keep on behave's `context` — the one documented place.

Hooks and steps only ever set `context.session` (run-long) and `context.world` (one per scenario);
nothing else is stored on `context`. On a failing scenario the hooks attach `World.dump()` (masked).

| attribute | type | meaning |
|---|---|---|
| `context.session` | `support.session.Session` | config, stack, clients, databases, HTTP log, `reset_state` (the whole run) |
| `context.world` | `World` | the scenario's facts, below |

`Session.reset_state` (`support.reset.state.ResetState`) is what the run knows of the stack: how far the
reset went, the snapshots read after it, the policy the last import ran under, the offers already bought.

`World` declares every fact a scenario keeps between its steps, each a field with its type and its
meaning (`metadata=doc(...)`). It has slots, so storing an undeclared name fails at once;
`tests/support/test_world_fields.py` fails on a field without documentation, and on code that stores
anything on `context` besides `session` and `world`, or an undeclared name on `context.world`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from .documented import doc

if TYPE_CHECKING:
    from .callback_guard import Listener, Outcome
    from .import_evidence import ImportEvidence
    from .mtls_probe import Attempt
    from .reset.runbook_steps import Recreated
    from .ui.browser import UiScenario
    from .wl_shapes import Hold, Purchase
    from .wl_sql import ImportedOffer


@dataclass(slots=True)
class World:
    # --- any feature ---------------------------------------------------------------------------------
    response: httpx.Response | None = field(default=None, metadata=doc(
        'the last HTTP response a "Quando" produced, for the "Então" that checks it'))
    counts_before: dict[str, int] = field(default_factory=dict, metadata=doc(
        "row counts observed before an action (table -> count): the CP's tables before a cleanup"))

    # --- reset (steps/ambiente_steps.py) -------------------------------------------------------------
    cp_cleaned_at: datetime | None = field(default=None, metadata=doc(
        "the CP database's clock just before the CP cleanup (no user created before it may remain)"))
    wls_cleaned_at: datetime | None = field(default=None, metadata=doc(
        "the exporter database's clock just before the WL cleanup (no cache row fetched before it may remain)"))
    broad_total_before: int | None = field(default=None, metadata=doc(
        "the exporter's broad export total (no importer) before the WL cleanup, which the cleanup keeps"))
    buyer_rows_before: dict | None = field(default=None, metadata=doc(
        "the bulk buyer's account_privileges and xbalance rows before the WL cleanup (support.queries.buyer_rows)"))
    recreated: list[Recreated] = field(default_factory=list, metadata=doc(
        "the WLs recreated in the reset (support.reset.runbook_steps.Recreated)"))
    categories: list[dict] = field(default_factory=list, metadata=doc(
        "the CP's category snapshot items read back for the scenario"))
    entities: list[dict] = field(default_factory=list, metadata=doc(
        "the CP's entity snapshot items read back for the scenario"))
    requested_scopes: list[str] = field(default_factory=list, metadata=doc(
        "the scopes asked for in the scenario's peer-token request"))
    peer_token: str | None = field(default=None, metadata=doc(
        "the peer token minted over mTLS (importer → exporter), or the genuine token a security scenario "
        "uses where it does not belong (support.token_misuse)"))
    peer_claims: dict = field(default_factory=dict, metadata=doc(
        "the peer token's claims, verified against the CP's JWKS"))
    import_result: dict | None = field(default=None, metadata=doc(
        "the body of the importer's last debug import"))

    # --- export_policy (steps/export_policy_steps.py) ------------------------------------------------
    policy: dict | None = field(default=None, metadata=doc(
        "the export_policy applied to exporter → importer in the scenario"))
    policy_path: str | None = field(default=None, metadata=doc(
        'how that policy reached the exporter: "poll" (its own pull) or "sql" (the runbook\'s UPDATE)'))
    cached_before: dict | None = field(default=None, metadata=doc(
        "the export_policy the exporter's cache held just before the scenario's PUT of a new one"))
    policy_put_at: datetime | None = field(default=None, metadata=doc(
        "the exporter database's clock just after the scenario's PUT of an export_policy to the CP"))
    forced_at: datetime | None = field(default=None, metadata=doc(
        "the exporter database's clock just after the runbook's UPDATE forced a policy into its cache"))
    previous_policy: dict | None = field(default=None, metadata=doc(
        "the policy the CP kept before an invalid one was sent"))
    previous_total: int | None = field(default=None, metadata=doc(
        "the exporter's total under that previous policy"))
    exporter_total: int | None = field(default=None, metadata=doc(
        "the exporter's export total (to the importer) under the current policy"))
    predicted_total: int | None = field(default=None, metadata=doc(
        "the total the CP snapshots predict for the current policy"))

    # --- security (steps/seguranca_steps.py) ---------------------------------------------------------
    mtls_attempt: Attempt | None = field(default=None, metadata=doc(
        "a peer-token request without the WL's client certificate, and how its connection ended "
        "(support.mtls_probe.Attempt)"))
    forged_token: str | None = field(default=None, metadata=doc(
        "the peer token the suite forged from a real one"))
    import_evidence: ImportEvidence | None = field(default=None, metadata=doc(
        "imported_offer before a call that must not import, with any import made visible "
        "(support.import_evidence.ImportEvidence)"))
    token_call: str | None = field(default=None, metadata=doc(
        "the call a genuine peer token is used for, first while valid, then once expired"))
    admin_client: Any = field(default=None, metadata=doc(
        "the admin API client logged in by role (support.cp_admin.CpAdminApi), for the reads that follow"))
    callback_listener: Listener | None = field(default=None, metadata=doc(
        "the suite's own HTTP listener whose URL a purchase body names as callback URL "
        "(support.callback_guard.Listener)"))
    direct_trade_id: str | None = field(default=None, metadata=doc(
        "the exporter's trade id of the purchase the suite made directly at the exporter, as the importer"))
    callback_outcome: Outcome | None = field(default=None, metadata=doc(
        "what the exporter recorded of that trade's decision callback, and what the listener had got by then "
        "(support.callback_guard.Outcome)"))

    # --- trades (steps/trades_steps.py; the approvals also in steps/ui_steps.py) -----------------------
    purchases: list[Purchase] = field(default_factory=list, metadata=doc(
        "the buy-offer answers of the scenario's purchases (support.wl_shapes.Purchase: ok, status, msg, "
        "and, through the stack map, the trade ids at the importer and the exporter and the total)"))
    buyer_xbalance_before: Decimal | None = field(default=None, metadata=doc(
        "the bulk buyer's X$ balance before the purchases or the broken precondition"))
    ledger_rows_before: int | None = field(default=None, metadata=doc(
        "the bulk buyer's xtransaction row count before the attempted purchase"))
    purchases_since: datetime | None = field(default=None, metadata=doc(
        "the CP database's clock just before the scenario's first purchase (reports of only its trades)"))
    decided_at_exporter: dict[str, str] = field(default_factory=dict, metadata=doc(
        "the exporter's decisions in the scenario: exporter trade id -> status it answered"))
    pending_before: int | None = field(default=None, metadata=doc(
        "the pending-trade count (API, or the screen's) just before the scenario's first decision there"))
    decisions: list[dict] = field(default_factory=list, metadata=doc(
        "the scenario's decisions, in order: purchase, approve (bool), reason, via (exporter | cp | ui) and the "
        "answer (the exporter's Decision, the CP's response; None on the screen)"))
    offer_id: int | None = field(default=None, metadata=doc(
        "the storefront id (imported_offer.offer_id) of the offer a broken-precondition scenario tries to buy"))

    # --- preflight (steps/preflight_steps.py) and the storefront ---------------------------------------
    offer: ImportedOffer | None = field(default=None, metadata=doc(
        "the imported offer the scenario buys (support.wl_sql.ImportedOffer: offer_id, imported_offer_id, "
        "origin_offer_id, unit_price)"))
    qa_money_before: dict | None = field(default=None, metadata=doc(
        "the QA buyer's X$ and R$ balances and ledger size before the purchase (support.preflight.qa_money)"))
    hold: Hold | None = field(default=None, metadata=doc(
        "the exporter's preflight answer (support.wl_shapes.Hold: hold_id, unit_price, expires_at)"))
    idempotency_key: str | None = field(default=None, metadata=doc(
        "the Idempotency-Key of the scenario's first checkout"))
    first_checkout: dict | None = field(default=None, metadata=doc(
        "the body of the first successful checkout (a replay must repeat it)"))

    # --- Admin UI (steps/ui_steps.py) ----------------------------------------------------------------
    details_api: dict | None = field(default=None, metadata=doc(
        "the CP's trade details, as the API answers them"))
    details_shown: dict[str, str] = field(default_factory=dict, metadata=doc(
        "the trade details modal: field (offer_name, buyer, buyer_phone, seller, seller_phone) -> text shown"))
    notifications_before: list | None = field(default=None, metadata=doc(
        "the ids of the notifications the screen listed when it was opened (None: not opened)"))
    notification: dict | None = field(default=None, metadata=doc(
        "the newest notification with the title the scenario looked for"))
    notification_marked: dict | None = field(default=None, metadata=doc(
        "the notification the scenario marked as read on the screen (as the API listed it before)"))
    unread_others: list = field(default_factory=list, metadata=doc(
        "the ids of the other notifications the screen showed as unread when one was marked"))
    notifications_seen: list = field(default_factory=list, metadata=doc(
        "the ids of the notifications the screen listed when one was marked as read"))
    unread_before: int | None = field(default=None, metadata=doc(
        "the screen's unread counter right before the scenario marked a notification as read"))
    balance_pair: tuple[str, str] | None = field(default=None, metadata=doc(
        "the WL names (origin, destination) searched on the commercial balance screen"))
    relationship_dialog: Any = field(default=None, metadata=doc(
        'the open "Editar relacionamento" dialog (a Playwright Locator)'))
    category_shown: tuple[str, int] | None = field(default=None, metadata=doc(
        "the category (name, active count) the relationship dialog showed"))
    ui: UiScenario | None = field(default=None, metadata=doc(
        "@ui scenarios: this scenario's browser context and page (traced) and its page objects (.storefront, "
        ".admin), support.ui.browser.UiScenario; set in before_scenario, closed in after_scenario (the browser "
        "itself lives for the whole run in session.extra_clients)"))

    def browser(self) -> UiScenario:
        """This scenario's browser (its page objects); a clear failure when the scenario is not tagged @ui."""
        if self.ui is None:
            raise AssertionError("este passo usa o navegador: marque o cenário (ou a funcionalidade) com @ui")
        return self.ui

    def need(self, name: str, first: str) -> Any:
        """The fact `name` an earlier step keeps; when no step has set it, a clear failure naming the
        step to write first (the catalogue lists the same under "Precisa antes")."""
        value = getattr(self, name)
        if value in (None, [], {}):
            raise AssertionError(f"este passo usa o que um passo anterior guarda ({name}): escreva antes "
                                 f"«{first}»")
        return value

    def dump(self, masker) -> str:
        def plain(value: Any) -> Any:  # at any depth, so the masker sees every key
            if isinstance(value, httpx.Response):
                return f"{value.request.method} {value.request.url} -> {value.status_code}"
            if is_dataclass(value) and not isinstance(value, type):  # the fields it shows (repr=True)
                return {f.name: plain(getattr(value, f.name)) for f in fields(value) if f.repr}
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            return value

        values = {item.name: getattr(self, item.name) for item in fields(self)}
        data = {name: plain(value) for name, value in values.items() if value not in (None, [], {})}
        return masker.text(json.dumps(masker.data(data), ensure_ascii=False, indent=2, default=str))
