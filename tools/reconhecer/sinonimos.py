"""Candidate names the capture command looks for on a live stack, per map entry: the sandbox's own names and
the usual alternatives (snake/camel case, Portuguese). A candidate becomes a draft value only when it is
the one the stack shows (exactly one match): the QA person reviews every captured value in the diff.

These are guesses, and they live here, in the capture tool, never in support/ or steps/ (which read
names only from the map)."""
from __future__ import annotations

SQL = {
    "wl.exporter.offer.table": ("offer", "offers", "oferta", "ofertas"),
    "wl.exporter.offer.id": ("id", "offer_id"),
    "wl.exporter.offer.category": ("category_id", "categoryid", "categoria_id", "category"),
    "wl.exporter.offer.entity": ("entity_id", "entityid", "entidade_id", "entity"),
    "wl.exporter.offer.created_at": ("created_at", "date_created", "criado_em", "creation_date", "createdat"),
    "wl.exporter.offer.price": ("price", "preco", "unit_price", "valor"),
    "wl.exporter.offer.stock": ("stock", "estoque", "quantity", "offers_available", "quantidade"),
    "wl.exporter.offer.active": ("active", "ativa", "enabled", "is_active"),
    "wl.exporter.cross_wl_trade.trade_id": ("trade_id", "tradeid", "id_troca"),
    "wl.exporter.cross_wl_trade.status": ("status", "situacao", "state"),
    "wl.exporter.cp_relationship_cache.fetched_at": ("fetched_at", "last_fetched_at", "updated_at", "last_updated"),
    "wl.exporter.cp_policy_cache.fetched_at": ("fetched_at", "last_fetched_at", "updated_at", "last_updated"),
    "wl.importer.cp_relationship_cache.fetched_at": ("fetched_at", "last_fetched_at", "updated_at", "last_updated"),
    "wl.importer.cp_policy_cache.fetched_at": ("fetched_at", "last_fetched_at", "updated_at", "last_updated"),
    "wl.importer.imported_offer.id": ("id", "imported_offer_id"),
    "wl.importer.imported_offer.origin_offer_id": ("origin_offer_id", "source_offer_id", "exporter_offer_id",
                                                   "oferta_origem_id"),
    "wl.importer.imported_offer.unit_price": ("unit_price", "price", "preco", "imported_price"),
    "wl.importer.cross_wl_trade.hold_id": ("hold_id", "holdid", "reserva_id"),
    "wl.importer.xbalance.account_id": ("account_id", "conta_id"),
    "wl.importer.rbalance.table": ("rbalance", "r_balance", "rbalances", "saldo_reais"),
    "wl.importer.rbalance.account_id": ("account_id", "conta_id"),
    "wl.importer.rbalance.value": ("value", "valor", "amount"),
    "wl.importer.xtransaction.table": ("xtransaction", "x_transaction", "xtransactions", "extrato"),
    "wl.importer.xtransaction.account_id": ("account_id", "conta_id"),
    "wl.importer.xtransaction_maturity.account_id": ("account_id", "conta_id"),
}
KEYS = {
    "wl.exporter.export_offers.total": ("total", "totalElements", "count", "total_count"),
    "wl.exporter.export_offers.item.id": ("id", "offerId", "offer_id"),
    "wl.exporter.export_offers.item.category": ("categoryId", "category_id", "category", "categoria", "category.id"),
    "wl.exporter.export_offers.item.entity": ("entityId", "entity_id", "entity", "entidade", "entity.id"),
    "wl.exporter.export_offers.item.created_at": ("createdAt", "created_at", "dateCreated", "criadoEm"),
    "wl.exporter.export_offers.item.price": ("price", "unitPrice", "preco", "valor"),
    "wl.exporter.pending.item.trade_id": ("tradeId", "trade_id", "id"),
    "wl.exporter.error.key": ("error", "message", "msg", "erro", "errorMessage", "error_message", "detail"),
    "wl.importer.error.key": ("error", "message", "msg", "erro", "errorMessage", "error_message", "detail"),
}
LIST_KEYS = ("items", "content", "data", "offers", "results", "trades")
# UI: (role, accepted accessible names) — compared without accents or case
ELEMENTS = {
    "ui.admin.login.email": ("textbox", ("e-mail", "email", "usuario", "usuário")),
    "ui.admin.login.password": ("textbox", ("senha", "password")),
    "ui.admin.login.submit": ("button", ("entrar", "login", "acessar", "sign in")),
    "ui.admin.trades.table": ("table", ("lista de negociações", "negociações", "trades")),
    "ui.admin.trades.status_column": ("columnheader", ("status", "situação")),
    "ui.admin.trades.refresh": ("button", ("atualizar", "recarregar")),
    "ui.admin.pending.table": ("table", ("fila de aprovação", "aprovações", "pendentes")),
    "ui.admin.notifications.list": ("list", ("notificações recentes", "notificações")),
    "ui.admin.notifications.refresh": ("button", ("atualizar", "recarregar")),
    "ui.admin.balance.origin": ("combobox", ("wl origem", "origem")),
    "ui.admin.balance.destination": ("combobox", ("wl destino", "destino")),
    "ui.admin.balance.search": ("button", ("buscar", "pesquisar", "consultar")),
    "ui.admin.relationships.table": ("table", ("lista de relacionamentos", "relacionamentos")),
    "ui.store.sign_in.account": ("textbox", ("conta", "id da conta", "account", "número da conta")),
    "ui.store.sign_in.token": ("textbox", ("token", "senha")),
    "ui.store.sign_in.submit": ("button", ("entrar", "login", "acessar")),
}
# UI texts with a count: the words before the number
COUNTERS = {
    "ui.admin.pending.counter": ("pendentes",),
    "ui.admin.notifications.unread": ("não lidas", "nao lidas", "unread"),
}
PAGE_HEADINGS = {  # the page whose own heading (not on the other pages) is the entry
    "ui.admin.heading.trades": "admin:trades",
    "ui.admin.heading.pending": "admin:pending",
    "ui.admin.heading.notifications": "admin:notifications",
    "ui.admin.heading.balance": "admin:balance",
    "ui.admin.heading.relationships": "admin:relationships",
}
