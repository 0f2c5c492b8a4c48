"""The sandbox's two personalities: the same code, two sets of the details neither the runbook nor the CP
contract fix (WL table and column names, JSON keys, envelopes, paging, timestamps, which trade id goes
where, texts and labels of the screens).

Personality "a" is the sandbox as it always was (profiles/embutido.mapa.toml describes it). Personality
"b" (profiles/embutido-b.mapa.toml) differs in every one of those guesses, in ways a real xpory-core
plausibly differs; what the runbook and the CP contract fix is the same in both. It is chosen at start
by SANDBOX_PERSONALITY (a | b; `python -m sandbox up --variante b` sets it) and never changes while the
process runs.

How the differences are made, so the rest of the sandbox keeps one vocabulary (personality "a"'s):
- SQL: personality "b" renames the WL tables and columns after seeding (`schema_sql`) and gives the
  sandbox's own connections a private schema, `sandbox_core`, of views with the old names over them
  (search_path sandbox_core, public). Anyone else connecting sees only the renamed tables.
- JSON: `Shape` renames keys, moves lists, converts timestamps and paging at the HTTP edge: the WL
  routes (`shaped`), the importer's calls to the exporter (`Shape.inward` on the answers) and the
  importer's import (`export_page_params`).
- Texts and labels: `labels` (the Admin UI's, served as /admin/labels.js; the storefront's) and the
  buy-offer messages.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import os
from dataclasses import dataclass, field
from typing import Any

NAMES = ("a", "b")


class PersonalityError(ValueError):
    """SANDBOX_PERSONALITY names no personality."""
CORE_SCHEMA = "sandbox_core"


# --- JSON shapes -------------------------------------------------------------------------------------
def _get(body: dict, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(body, dict) or part not in body:
            return None
        body = body[part]
    return body


def _pop(body: dict, path: str) -> tuple[bool, Any]:
    parts = path.split(".")
    for part in parts[:-1]:
        body = body.get(part) if isinstance(body, dict) else None
    if not isinstance(body, dict) or parts[-1] not in body:
        return False, None
    return True, body.pop(parts[-1])


def _set(body: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        body = body.setdefault(part, {})
    body[parts[-1]] = value


def to_epoch_ms(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return round(parsed.timestamp() * 1000)  # round: a float product may fall just short of the millisecond


def from_epoch_ms(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _rename(body: dict, keys: dict[str, str], epoch: tuple[str, ...], outward: bool) -> dict:
    """`keys` canonical -> personality key; outward: canonical body to the personality's, else back."""
    out = copy.deepcopy(body)
    pairs = list(keys.items()) if outward else [(mine, canonical) for canonical, mine in keys.items()]
    moved = []
    for source, target in pairs:
        found, value = _pop(out, source)
        if found:
            moved.append((target, value))
        elif not outward:
            _pop(out, target)  # the canonical key the personality does not use: not accepted either
    for target, value in moved:
        _set(out, target, value)
    for source, _ in pairs:
        head = source.split(".")[0]
        if "." in source and out.get(head) == {}:
            del out[head]  # a nested key moved out left its parent empty
    for name in epoch:
        path = keys.get(name, name) if outward else name
        value = _get(out, path)
        if value is not None:
            _set(out, path, to_epoch_ms(value) if outward else from_epoch_ms(value))
    return out


@dataclass(frozen=True)
class Shape:
    """How one endpoint's JSON differs from the canonical (personality "a") body."""
    keys: dict[str, str] = field(default_factory=dict)  # canonical key -> this personality's (dotted = nested)
    drop: tuple[str, ...] = ()  # canonical keys this personality does not send
    envelope: str | None = None  # the canonical `items` list goes under this key; "[]" = the body is the list
    item_keys: dict[str, str] = field(default_factory=dict)
    epoch_ms: tuple[str, ...] = ()  # canonical keys (top level) sent as epoch milliseconds
    item_epoch_ms: tuple[str, ...] = ()  # canonical keys of each item sent as epoch milliseconds
    page_of_offset: bool = False  # the renamed offset ("page") counts pages of the renamed limit ("size")

    @property
    def identity(self) -> bool:
        return not (self.keys or self.drop or self.envelope or self.item_keys or self.epoch_ms or self.item_epoch_ms)

    def outward(self, body: Any) -> Any:
        """A canonical body as this personality sends it."""
        if self.identity or not isinstance(body, dict):
            return body
        out = {k: v for k, v in body.items() if k not in self.drop}
        items = out.pop("items", None) if self.envelope else None
        if isinstance(items, list):
            items = [_rename(i, self.item_keys, self.item_epoch_ms, True) if isinstance(i, dict) else i for i in items]
        out = _rename(out, self.keys, self.epoch_ms, True)
        if self.page_of_offset and isinstance(out.get("page"), int) and isinstance(out.get("size"), int):
            out["page"] = out["page"] // max(out["size"], 1)
        if self.envelope == "[]":
            return items if isinstance(items, list) else []
        if self.envelope:
            out[self.envelope] = items if items is not None else []
        return out

    def inward(self, body: Any) -> Any:
        """A body this personality sent (or was sent), back in canonical keys."""
        if self.identity:
            return body
        if isinstance(body, list) and self.envelope == "[]":
            body = {"items": body}
        if not isinstance(body, dict):
            return body
        out = dict(body)
        if self.envelope and self.envelope != "[]":
            found, items = _pop(out, self.envelope)
            out.pop("items", None)
            if found:
                out["items"] = items
        if isinstance(out.get("items"), list):
            out["items"] = [_rename(i, self.item_keys, self.item_epoch_ms, False) if isinstance(i, dict) else i
                            for i in out["items"]]
        return _rename(out, self.keys, self.epoch_ms, False)


IDENTITY = Shape()


# --- SQL -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """One WL table as this personality names it: `name` (None = same) and column renames."""
    canonical: str
    name: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    # canonical boolean column -> (this personality's text column, the value that means true, the one for false)
    flags: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def physical(self) -> str:
        return self.name or self.canonical


@dataclass(frozen=True)
class Personality:
    name: str
    tables: tuple[Table, ...] = ()
    # JSON, by endpoint
    export: Shape = IDENTITY
    export_paging: str = "limit/offset"  # or "page/size"
    pending: Shape = IDENTITY
    decision: Shape = IDENTITY
    preflight_request: Shape = IDENTITY
    preflight: Shape = IDENTITY
    purchase_request: Shape = IDENTITY  # the importer's POST /api/v2/trader/purchase body
    purchase: Shape = IDENTITY  # the exporter's answer to it
    buy_offer: Shape = IDENTITY
    checkout_request: Shape = IDENTITY
    checkout: Shape = IDENTITY
    error_key: dict[str, str] = field(default_factory=lambda: {"exporter": "error", "importer": "error"})
    messages: dict[str, str] = field(default_factory=dict)  # buy-offer refusal msg by reason
    # correlation: which WL's trade id both sides emit as externalTradeId (exportador | importador)
    external_trade_id: str = "exportador"
    admin_row_id: str = "tradeId"  # the field of GET /trades the Admin UI's trades screen shows
    store_offer_id: str = "offer_id"  # the imported_offer column of the storefront's offer page id
    store_routes: dict[str, str] = field(default_factory=lambda: {"sign_in": "/entrar", "offer": "/oferta/"})
    labels: dict[str, str] = field(default_factory=dict)  # label key -> text (absent = personality "a"'s)
    # what the exporter records in cross_wl_trade.callback_status once the importer answered its decision callback
    callback_delivered: str = "DELIVERED {status}"

    def label(self, key: str, default: str) -> str:
        return self.labels.get(key, default)

    def table(self, canonical: str) -> Table | None:
        return next((t for t in self.tables if t.canonical == canonical), None)

    def message(self, reason: str, default: str) -> str:
        return self.messages.get(reason, default)

    def export_page_params(self, limit: int, offset: int) -> list[tuple[str, str]]:
        if self.export_paging == "page/size":
            return [("page", str(offset // limit)), ("size", str(limit))]
        return [("limit", str(limit)), ("offset", str(offset))]

    def export_query_to_canonical(self, query: dict[str, str]) -> dict[str, str]:
        """page/size -> limit/offset (and limit/offset refused by dropping them)."""
        if self.export_paging != "page/size":
            return query
        out = {k: v for k, v in query.items() if k not in ("limit", "offset", "page", "size")}
        size, page = query.get("size"), query.get("page")
        if size is not None:
            out["limit"] = size
        try:
            if page is not None:
                out["offset"] = str(int(page) * int(size or 50))
        except ValueError:
            out["offset"] = page  # let the canonical validation refuse it
        return out

    def trade_id_for_cp(self, trade: dict, role: str) -> str:
        """The externalTradeId a WL emits for its cross_wl_trade row (`role` EXPORTER | IMPORTER)."""
        exporter_id = trade["trade_id"] if role == "EXPORTER" else trade["external_trade_id"]
        importer_id = trade["external_trade_id"] if role == "EXPORTER" else trade["trade_id"]
        chosen = exporter_id if self.external_trade_id == "exportador" else importer_id
        return chosen or trade["trade_id"]

    def schema_sql(self, database_tables: list[tuple[str, str]]) -> str:
        """The statements that turn a seeded canonical WL database into this personality's: renames, then
        the views of `sandbox_core` with the canonical names. `database_tables`: (table, column) pairs
        of the canonical database, in order."""
        if not self.tables:
            return ""
        columns: dict[str, list[str]] = {}
        for table, column in database_tables:
            columns.setdefault(table, []).append(column)
        statements = [f'CREATE SCHEMA IF NOT EXISTS "{CORE_SCHEMA}"']
        for t in self.tables:
            if t.canonical not in columns:
                continue
            for canonical_col, (text_col, yes, no) in t.flags.items():
                statements += [
                    f'ALTER TABLE public."{t.canonical}" ADD COLUMN "{text_col}" text NOT NULL DEFAULT \'{yes}\'',
                    f'UPDATE public."{t.canonical}" SET "{text_col}" = '
                    f'CASE WHEN "{canonical_col}" THEN \'{yes}\' ELSE \'{no}\' END',
                    f'ALTER TABLE public."{t.canonical}" DROP COLUMN "{canonical_col}" CASCADE',
                ]
            for old, new in t.columns.items():
                statements.append(f'ALTER TABLE public."{t.canonical}" RENAME COLUMN "{old}" TO "{new}"')
            if t.name:
                statements.append(f'ALTER TABLE public."{t.canonical}" RENAME TO "{t.name}"')
            select = []
            for column in columns[t.canonical]:
                if column in t.flags:
                    text_col, yes, _ = t.flags[column]
                    select.append(f'("{text_col}" = \'{yes}\') AS "{column}"')
                else:
                    select.append(f'"{t.columns.get(column, column)}" AS "{column}"')
            statements.append(f'CREATE VIEW "{CORE_SCHEMA}"."{t.canonical}" AS SELECT {", ".join(select)} '
                              f'FROM public."{t.physical}"')
        return ";\n".join(statements) + ";"

    @property
    def search_path(self) -> str | None:
        """The search_path of the sandbox's own WL connections (None: the server's default)."""
        return f"{CORE_SCHEMA},public" if self.tables else None

    def labels_js(self) -> str:
        return "window.XPORY_LABELS = " + json.dumps(self.labels, ensure_ascii=False, sort_keys=True) + ";\n"


A = Personality(name="a")

B = Personality(
    name="b",
    tables=(
        Table("offer", name="trader_offer",
              columns={"id": "offer_id", "category_id": "category_code", "entity_id": "seller_entity_id",
                       "created_at": "date_created", "price": "unit_price", "stock": "offers_available"},
              flags={"active": ("lifecycle_status", "ENABLED", "DISABLED")}),
        Table("cross_wl_trade", columns={"trade_id": "trade_uuid", "status": "trade_status",
                                         "hold_id": "preflight_hold_id",
                                         "callback_status": "importer_callback_status"}),
        Table("cp_relationship_cache", columns={"fetched_at": "last_pulled_at"}),
        Table("cp_policy_cache", columns={"fetched_at": "last_pulled_at"}),
        Table("imported_offer", columns={"id": "import_id", "origin_offer_id": "source_offer_id",
                                         "unit_price": "origin_price"}),
        Table("xbalance", columns={"account_id": "owner_account_id"}),
        Table("rbalance", name="real_balance", columns={"account_id": "owner_account_id", "value": "amount"}),
        Table("xtransaction", name="x_transaction", columns={"account_id": "account_ref_id"}),
        Table("xtransaction_maturity", columns={"account_id": "owner_account_id"}),
    ),
    export=Shape(keys={"limit": "size", "offset": "page"}, envelope="offers", page_of_offset=True,
                 item_keys={"id": "offerId", "categoryId": "category.id", "entityId": "seller.id",
                            "createdAt": "dateCreated", "price": "unitPrice"},
                 item_epoch_ms=("createdAt", "updatedAt")),
    export_paging="page/size",
    pending=Shape(envelope="[]", item_keys={"tradeId": "purchaseId"}),
    decision=Shape(keys={"status": "tradeStatus", "reason": "rejectionReason"}),
    preflight_request=Shape(keys={"originOfferId": "offerId", "quantity": "qty", "requesterWlId": "buyerWlId",
                                  "requesterTraderId": "buyerTraderId", "clientBuyerMasked": "buyerMasked",
                                  "expectedUnitPrice": "expectedPrice"}),
    preflight=Shape(keys={"unitPrice": "price", "expiresAt": "holdExpiresAt"}, epoch_ms=("expiresAt",)),
    purchase_request=Shape(keys={"originOfferId": "offerId", "quantity": "qty", "requesterWlId": "buyerWlId",
                                 "requesterTraderId": "buyerTraderId", "clientBuyerMasked": "buyerMasked",
                                 "expectedUnitPrice": "expectedPrice", "importerTradeId": "buyerTradeId",
                                 "callbackUrl": "notifyUrl"}),
    purchase=Shape(keys={"tradeId": "purchaseId"}),
    buy_offer=Shape(keys={"totalPrice": "totalValue"}, drop=("tradeId", "externalTradeId")),
    checkout_request=Shape(keys={"accountId": "clientId", "token": "accessToken", "quantity": "qty"}),
    checkout=Shape(keys={"ok": "success", "tradeId": "orderId"}),
    error_key={"exporter": "message", "importer": "errorMessage"},
    messages={"PRICE_CHANGED": "Preço alterado pelo vendedor; recarregue a oferta para ver o novo valor.",
              "OUT_OF_STOCK": "Sem unidades disponíveis para esta oferta."},
    external_trade_id="importador",
    callback_delivered="NOTIFIED:{status}",
    admin_row_id="tradeExternalId",
    store_offer_id="id",
    store_routes={"sign_in": "/login", "offer": "/ofertas/"},
    labels={
        # Admin UI (sandbox/admin_ui/app.js: L(key, personality "a"'s text))
        "login.email": "Endereço de e-mail", "login.password": "Palavra-passe", "login.submit": "Acessar",
        "heading.trades": "Trades", "heading.pending": "Fila de aprovações",
        "heading.notifications": "Central de notificações",
        "heading.balance": "Balança comercial entre WLs", "heading.relationships": "Parcerias entre WLs",
        "loading": "Aguarde", "signed_in": "Conectado como {email} · {role}",
        "trades.table": "Trades registrados", "trades.status_column": "Situação", "trades.refresh": "Recarregar",
        "trades.details": "Ver detalhes", "trades.trade_column": "Trade (externo)", "trades.row_id": "tradeExternalId",
        "details.dialog": "Trade em detalhe", "details.offer": "Oferta negociada", "details.buyer": "Cliente comprador",
        "details.buyer_phone": "Telefone do comprador", "details.seller": "Cliente vendedor",
        "details.seller_phone": "Telefone do vendedor",
        "pending.counter": "{n} aguardando decisão", "pending.table": "Trades aguardando aprovação",
        "pending.approve": "Aprovar trade", "pending.reject": "Recusar trade", "pending.reject_dialog": "Recusar o trade",
        "pending.reject_reason": "Justificativa", "pending.reject_confirm": "Recusar definitivamente",
        "pending.approved_word": "foi aprovado", "pending.rejected_word": "foi recusado",
        "notifications.list": "Últimas notificações", "notifications.unread": "{n} sem leitura",
        "notifications.item_role": "button", "notifications.mark_read": "Marcar como lida",
        "toast.name": "Aviso de decisão", "alert.name": "Falha na operação",
        "balance.select_style": "customizado",
        "balance.origin_exported": "Origem exportou", "balance.origin_imported": "Origem importou",
        "balance.origin_balance": "Saldo líquido da origem", "balance.total_exported": "Exportações do par (A → B)",
        "balance.total_imported": "Importações do par (B → A)", "balance.balance": "Saldo do par (A − B)",
        "balance.status": "Situação", "balance.fx": "Câmbio", "balance.limit": "Teto",
        "relationships.table": "Parcerias cadastradas", "relationships.row": "{origem} para {destino}",
        "relationships.edit": "Alterar", "relationships.edit_dialog": "Alterar parceria",
        "relationships.category_search": "Filtrar categorias",
        # storefront (sandbox/wl/storefront.py)
        "store.account": "Número da conta", "store.token": "Chave de acesso", "store.submit": "Acessar loja",
        "store.signed_in": "Você está na conta {conta}", "store.buy": "Comprar agora",
        "store.price_dialog": "O preço mudou", "store.reload": "Recarregar oferta", "store.alert": "Compra recusada",
    },
)

BY_NAME = {p.name: p for p in (A, B)}


def current() -> Personality:
    """The personality of this process (SANDBOX_PERSONALITY, default a)."""
    name = (os.environ.get("SANDBOX_PERSONALITY") or "a").strip().lower()
    if name not in BY_NAME:
        raise PersonalityError(f"SANDBOX_PERSONALITY={name!r} is not one of {', '.join(NAMES)} (example: SANDBOX_PERSONALITY=b)")
    return BY_NAME[name]
