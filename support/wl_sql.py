"""SQL on the WL databases beyond the runbook's own statements, with every table and column name taken
from the stack map: the exporter's catalogue and trades, the importer's imported offers, trades, money
(X$, R$, ledger, maturity) and the CP caches' timestamps. Names are validated identifiers (the loader
refuses anything else) and quoted here; values always travel as parameters.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import journal
from .stackmap import StackMap
from .wl_shapes import ExportedOffer


def q(name: str) -> str:
    """A map name as a quoted SQL identifier (the loader allows only [A-Za-z_][A-Za-z0-9_$]*)."""
    return '"' + name + '"'


def _names(m: StackMap, *entries: str) -> list[str]:
    return [q(m.name(entry)) for entry in entries]


# --- the exporter's catalogue ------------------------------------------------------------------------
OFFER_COLUMNS = ("wl.exporter.offer.id", "wl.exporter.offer.category", "wl.exporter.offer.entity",
                 "wl.exporter.offer.created_at", "wl.exporter.offer.price", "wl.exporter.offer.active")


def catalogue_offers(session, ids: list[int] | None = None) -> list[ExportedOffer]:
    """The exporter's catalogue rows (every offer, or those `ids`), in the export's terms."""
    m = session.stack_map
    table = q(m.name("wl.exporter.offer.table"))
    id_, category, entity, created, price, active = _names(m, *OFFER_COLUMNS)
    # the aliases are the suite's own (Portuguese) names, never the stack's
    sql = (f"SELECT {id_} AS oferta, {category} AS categoria, {entity} AS entidade, {created} AS criada_em, "
           f"{price} AS preco, ({active}::text = %s) AS ativa FROM {table}")
    enabled = m.name("wl.exporter.offer.active_value")
    rows = session.db.exporter.rows(sql, (enabled,)) if ids is None else \
        session.db.exporter.rows(sql + f" WHERE {id_} = ANY(%s)", (enabled, ids))
    return [ExportedOffer(id=int(r["oferta"]), category=str(r["categoria"]), entity=str(r["entidade"]),
                          created_at=r["criada_em"], price=Decimal(str(r["preco"])), active=bool(r["ativa"]))
            for r in rows]


def first_active_offer(session) -> int | None:
    m = session.stack_map
    table, id_, active = q(m.name("wl.exporter.offer.table")), q(m.name("wl.exporter.offer.id")), \
        q(m.name("wl.exporter.offer.active"))
    found = session.db.exporter.scalar(f"SELECT {id_} AS oferta FROM {table} WHERE {active}::text = %s ORDER BY {id_} LIMIT 1",
                                       (m.name("wl.exporter.offer.active_value"),))
    return None if found is None else int(found)


def origin_offer(session, origin_offer_id: int) -> tuple[Decimal, int] | None:
    """The origin offer's (price, stock) at the exporter."""
    m = session.stack_map
    table, id_, price, stock = _names(m, "wl.exporter.offer.table", "wl.exporter.offer.id",
                                      "wl.exporter.offer.price", "wl.exporter.offer.stock")
    rows = session.db.exporter.rows(f"SELECT {price} AS preco, {stock} AS estoque FROM {table} WHERE {id_}=%s",
                                    (origin_offer_id,))
    return (Decimal(str(rows[0]["preco"])), int(rows[0]["estoque"])) if rows else None


def set_origin_offer(session, origin_offer_id: int, *, price: Decimal | None = None, stock: int | None = None) -> int:
    """UPDATE the origin offer's price and/or stock at the exporter (destructive: loopback guard)."""
    m = session.stack_map
    table, id_ = q(m.name("wl.exporter.offer.table")), q(m.name("wl.exporter.offer.id"))
    sets, params = [], []
    if price is not None:
        sets.append(f"{q(m.name('wl.exporter.offer.price'))}=%s")
        params.append(price)
    if stock is not None:
        sets.append(f"{q(m.name('wl.exporter.offer.stock'))}=%s")
        params.append(stock)
    db = session.db
    return db.destructive(db.exporter, f"UPDATE {table} SET {', '.join(sets)} WHERE {id_}=%s", (*params, origin_offer_id))


def exporter_trade_statuses(session, trade_ids: list[str]) -> dict[str, str]:
    """Exporter-side status of each trade, by the exporter's trade id."""
    m = session.stack_map
    table, trade, status = _names(m, "wl.exporter.cross_wl_trade.table", "wl.exporter.cross_wl_trade.trade_id",
                                  "wl.exporter.cross_wl_trade.status")
    rows = session.db.exporter.rows(f"SELECT {trade} AS troca, {status} AS situacao FROM {table} WHERE {trade} = ANY(%s)",
                                    (list(trade_ids),))
    return {str(r["troca"]): r["situacao"] for r in rows}


def exporter_callback_status(session, trade_id: str) -> str | None:
    """What the exporter recorded of the decision callback of one of its trades (None: nothing yet)."""
    m = session.stack_map
    table, trade, callback = _names(m, "wl.exporter.cross_wl_trade.table", "wl.exporter.cross_wl_trade.trade_id",
                                    "wl.exporter.cross_wl_trade.callback_status")
    rows = session.db.exporter.rows(f"SELECT {callback}::text AS aviso FROM {table} WHERE {trade}::text = %s",
                                    (trade_id,))
    return rows[0]["aviso"] if rows else None


# --- the importer's imported offers -----------------------------------------------------------------------
@dataclass(frozen=True)
class ImportedOffer:
    """An imported offer: its storefront id (`offer_id`, the runbook's), its import id (the checkout's
    {importedOfferId}), its origin offer at the exporter and the imported unit price."""
    offer_id: int
    imported_offer_id: int
    origin_offer_id: int
    unit_price: Decimal


IMPORTED_COLUMNS = ("wl.importer.imported_offer.offer_id", "wl.importer.imported_offer.id",
                    "wl.importer.imported_offer.origin_offer_id", "wl.importer.imported_offer.unit_price")


def imported_offers(session, offer_ids: list[int] | None = None) -> list[ImportedOffer]:
    m = session.stack_map
    table = q(m.name("wl.importer.imported_offer.table"))
    offer, id_, origin, price = _names(m, *IMPORTED_COLUMNS)
    sql = (f"SELECT {offer} AS oferta, {id_} AS importacao, {origin} AS origem, {price} AS preco FROM {table}")
    rows = session.db.importer.rows(sql + " ORDER BY 1") if offer_ids is None else \
        session.db.importer.rows(sql + f" WHERE {offer} = ANY(%s) ORDER BY 1", (list(offer_ids),))
    return [ImportedOffer(int(r["oferta"]), int(r["importacao"]), int(r["origem"]), Decimal(str(r["preco"])))
            for r in rows]


def imported_unit_price(session, offer_id: int) -> Decimal | None:
    """The imported price of an offer, or None when the map does not know that column."""
    m = session.stack_map
    price = m.optional("wl.importer.imported_offer.unit_price")
    if price is None:
        return None
    table, offer = _names(m, "wl.importer.imported_offer.table", "wl.importer.imported_offer.offer_id")
    return Decimal(str(session.db.importer.scalar(f"SELECT {q(price)} AS preco FROM {table} WHERE {offer}=%s",
                                                  (offer_id,))))


def importer_trade_count(session) -> int:
    """Rows of the importer's trade table (the runbook's step 2 empties it)."""
    table = q(session.stack_map.name("wl.importer.cross_wl_trade.table"))
    return int(session.db.importer.scalar(f"SELECT count(*) AS n FROM {table}"))


def importer_trades_for_hold(session, hold_id: str) -> int:
    m = session.stack_map
    table, hold = q(m.name("wl.importer.cross_wl_trade.table")), q(m.name("wl.importer.cross_wl_trade.hold_id"))
    return int(session.db.importer.scalar(f"SELECT count(*) AS n FROM {table} WHERE {hold}=%s", (hold_id,)))


# --- the importer's money ----------------------------------------------------------------------------------
def xbalance_of_account(session, account_id: int) -> Decimal:
    m = session.stack_map
    table, value, account = _names(m, "wl.importer.xbalance.table", "wl.importer.xbalance.value",
                                   "wl.importer.xbalance.account_id")
    return Decimal(session.db.importer.scalar(
        f"SELECT COALESCE(SUM({value}),0) AS v FROM {table} WHERE {account}=%s", (account_id,)))


def rbalance_of_account(session, account_id: int) -> Decimal:
    m = session.stack_map
    table, value, account = _names(m, "wl.importer.rbalance.table", "wl.importer.rbalance.value",
                                   "wl.importer.rbalance.account_id")
    return Decimal(session.db.importer.scalar(
        f"SELECT COALESCE(SUM({value}),0) AS v FROM {table} WHERE {account}=%s", (account_id,)))


def ledger_size(session, account_id: int) -> int:
    """How many X$ ledger rows (xtransaction) the account has."""
    m = session.stack_map
    table, account = q(m.name("wl.importer.xtransaction.table")), q(m.name("wl.importer.xtransaction.account_id"))
    return int(session.db.importer.scalar(f"SELECT count(*) AS n FROM {table} WHERE {account}=%s", (account_id,)))


def maturity_rows(session, account_id: int) -> list[dict]:
    m = session.stack_map
    table = q(m.name("wl.importer.xtransaction_maturity.table"))
    account = q(m.name("wl.importer.xtransaction_maturity.account_id"))
    return session.db.importer.rows(f"SELECT * FROM {table} WHERE {account}=%s", (account_id,))


def maturity_count(session, account_id: int | None) -> int:
    """Maturity rows of the account when the map knows the column, else of the whole table (what the
    runbook's note checks: "se a tabela xtransaction_maturity foi zerada indevidamente")."""
    m = session.stack_map
    table = q(m.name("wl.importer.xtransaction_maturity.table"))
    column = m.optional("wl.importer.xtransaction_maturity.account_id")
    if column is None or account_id is None:
        return int(session.db.importer.scalar(f"SELECT count(*) AS n FROM {table}"))
    return int(session.db.importer.scalar(f"SELECT count(*) AS n FROM {table} WHERE {q(column)}=%s", (account_id,)))


def delete_maturity(session, account_id: int) -> int:
    m = session.stack_map
    table = q(m.name("wl.importer.xtransaction_maturity.table"))
    account = q(m.name("wl.importer.xtransaction_maturity.account_id"))
    db = session.db
    return db.destructive(db.importer, f"DELETE FROM {table} WHERE {account}=%s", (account_id,))


# --- the CP caches -------------------------------------------------------------------------------------------
CACHE_TIMESTAMPS = (
    ("wl-01", "exporter", "wl.exporter.cp_policy_cache.table", "wl.exporter.cp_policy_cache.fetched_at"),
    ("wl-01", "exporter", "wl.exporter.cp_relationship_cache.table", "wl.exporter.cp_relationship_cache.fetched_at"),
    ("wl-03", "importer", "wl.importer.cp_policy_cache.table", "wl.importer.cp_policy_cache.fetched_at"),
    ("wl-03", "importer", "wl.importer.cp_relationship_cache.table", "wl.importer.cp_relationship_cache.fetched_at"),
)


def stale_cache_rows(session, since) -> dict[str, int]:
    """Cache rows in either WL fetched before `since` (a WL may re-pull fresh rows at any time)."""
    m = session.stack_map
    out = {}
    for wl, side, table_entry, column_entry in CACHE_TIMESTAMPS:
        table, column = m.name(table_entry), m.name(column_entry)
        db = session.db.exporter if side == "exporter" else session.db.importer
        n = db.scalar(f"SELECT count(*) AS n FROM {q(table)} WHERE {q(column)} < %s", (since,))
        if n:
            out[f"{wl}.{table}"] = n
    return out


# --- restoring what a scenario changes beyond the runbook (support.journal) --------------------------------
def restore_origin_offer(session, origin_offer_id: int) -> str:
    """The statement that puts the origin offer's price and stock back to what they are now."""
    m = session.stack_map
    table, id_, price, stock = _names(m, "wl.exporter.offer.table", "wl.exporter.offer.id",
                                      "wl.exporter.offer.price", "wl.exporter.offer.stock")
    before = origin_offer(session, origin_offer_id)
    if before is None:
        raise AssertionError(f"a oferta de origem {origin_offer_id} não existe no exportador")
    return journal.restore_values(table, id_, [{id_: origin_offer_id, price: before[0], stock: before[1]}],
                                  (price, stock))


def restore_maturity(session, account_id: int) -> str:
    """The statement that makes the account's maturity rows exactly what they are now."""
    m = session.stack_map
    table = q(m.name("wl.importer.xtransaction_maturity.table"))
    account = q(m.name("wl.importer.xtransaction_maturity.account_id"))
    rows = [{q(column): value for column, value in row.items()} for row in maturity_rows(session, account_id)]
    return journal.restore_rows(table, account, account_id, rows)


def restore_money_of_account(session, account_id: int) -> list[str]:
    """The statements that put the account's X$ balance rows (by id) and its R$ balance back to what they
    are now (R$ only when the account has one R$ row: the map names no id for it)."""
    m = session.stack_map
    x_table, x_id, x_value, x_account = _names(m, "wl.importer.xbalance.table", "wl.importer.xbalance.id",
                                               "wl.importer.xbalance.value", "wl.importer.xbalance.account_id")
    rows = session.db.importer.rows(f"SELECT {x_id} AS linha, {x_value} AS valor FROM {x_table} WHERE {x_account}=%s",
                                    (account_id,))
    statements = [journal.restore_values(x_table, x_id, [{x_id: r["linha"], x_value: r["valor"]} for r in rows],
                                         (x_value,))] if rows else []
    r_table, r_value, r_account = _names(m, "wl.importer.rbalance.table", "wl.importer.rbalance.value",
                                         "wl.importer.rbalance.account_id")
    reais = session.db.importer.rows(f"SELECT {r_value} AS valor FROM {r_table} WHERE {r_account}=%s", (account_id,))
    if len(reais) == 1:
        statements.append(journal.restore_values(r_table, r_account, [{r_account: account_id, r_value: reais[0]["valor"]}],
                                                 (r_value,)))
    return statements


def relationship_pulled_at(session):
    """When the exporter last pulled its exporter → importer relationship from the CP (its cache row's
    fetch time, by the exporter database's clock), or None without the row."""
    m, c = session.stack_map, session.config
    table, column, source, target = _names(m, "wl.exporter.cp_relationship_cache.table",
                                           "wl.exporter.cp_relationship_cache.fetched_at",
                                           "wl.exporter.cp_relationship_cache.source_white_label_id",
                                           "wl.exporter.cp_relationship_cache.target_white_label_id")
    return session.db.exporter.scalar(f"SELECT {column} AS puxado FROM {table} WHERE {source}=%s AND {target}=%s",
                                      (c.exporter_wl_id, c.importer_wl_id))
