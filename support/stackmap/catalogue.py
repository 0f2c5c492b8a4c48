"""The entries of the stack map: every guessed fact the suite uses, and the runbook's facts next to them
(so the readiness check probes those too). Names are dotted; a map file nests them as TOML tables.

Each entry has a kind (what its value is), a meaning (pt-BR, shown in the map files and in the
readiness table), and a surface: where a read-only probe can check it on a live stack ("" = no
read-only call shows it; the scenarios that use it are its only proof).
"""
from __future__ import annotations

from dataclasses import dataclass

# kind -> what the value is (the loader validates it; README and the map files explain it)
KINDS = {
    "table": "nome de tabela SQL",
    "column": "nome de coluna SQL (da tabela da entrada .table do mesmo grupo)",
    "key": "chave JSON (caminho com pontos para chaves aninhadas: seller.name)",
    "envelope": 'onde está a lista na resposta: "[]" (a própria resposta é a lista) ou a chave que a contém',
    "paging": '"limit/offset" (limit, offset), "page/size" (page a partir de 0, size) ou "nenhuma"',
    "timestamp": '"iso" (ISO-8601), "epoch_ms" (milissegundos desde 1970) ou "epoch_s" (segundos)',
    "side": '"exportador" ou "importador": de qual WL é o id',
    "sides": '"exportador", "importador" ou "qualquer" (um dos dois ids)',
    "route": "caminho da página (relativo à URL do perfil)",
    "element": "nome acessível do elemento (com o papel ARIA em `papel`)",
    "template": "texto com marcadores entre chaves ({n}, {email}...)",
    "text": "texto exato",
    "choice": "um dos valores listados",
    "sqlvalue": "valor de uma coluna, como texto (a suíte compara coluna::text com ele)",
}
CHOICES = {
    "paging": ("limit/offset", "page/size", "nenhuma"),
    "timestamp": ("iso", "epoch_ms", "epoch_s"),
    "side": ("exportador", "importador"),
    "sides": ("exportador", "importador", "qualquer"),
}


@dataclass(frozen=True)
class Fact:
    name: str
    kind: str
    meaning: str
    surface: str = ""
    choices: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = ()  # template: the markers the code fills

    @property
    def group(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.choices or CHOICES.get(self.kind, ())


def _sql(db: str, table: str, meaning: str, columns: dict[str, str]) -> list[Fact]:
    prefix = f"wl.{db}.{table}"
    surface = f"sql:{db}"
    facts = [Fact(f"{prefix}.table", "table", meaning, surface)]
    facts += [Fact(f"{prefix}.{field}", "column", text, surface) for field, text in columns.items()]
    return facts


SQL = [
    *_sql("exporter", "offer", "tabela do catálogo de ofertas do exportador (wl-01)", {
        "id": "id da oferta (o originOfferId das compras)",
        "category": "categoria da oferta (o id que a export_policy filtra, texto)",
        "entity": "entidade (vendedor) da oferta",
        "created_at": "criação da oferta (o min_created_at da export_policy compara com ela)",
        "price": "preço da oferta (o preflight recusa com PRICE_CHANGED quando muda)",
        "stock": "estoque da oferta (0 = OUT_OF_STOCK)",
        "active": "oferta ativa (só ativas são exportadas)",
    }),
    Fact("wl.exporter.offer.active_value", "sqlvalue",
         "o valor da coluna de atividade, como texto, que quer dizer oferta ativa (true numa coluna booleana)"),
    *_sql("exporter", "cross_wl_trade", "trades do lado do exportador (runbook, passo 2)", {
        "trade_id": "id do trade no exportador (o que aprovar/rejeitar recebem)",
        "status": "status do trade no exportador (PENDING, CONFIRMED, REJECTED)",
        "callback_status": "o que o exportador grava do aviso da decisão ao importador (callback)",
    }),
    *_sql("exporter", "cp_relationship_cache", "cache dos relacionamentos do CP no exportador (runbook, passo 5)", {
        "source_white_label_id": "WL de origem do relacionamento",
        "target_white_label_id": "WL de destino do relacionamento",
        "export_policy": "a export_policy do relacionamento (JSON em texto)",
        "fetched_at": "quando o exportador puxou a linha do CP",
    }),
    *_sql("exporter", "cp_policy_cache", "cache das políticas do CP no exportador (runbook, passo 2)", {
        "fetched_at": "quando o exportador puxou a linha do CP",
    }),
    *_sql("exporter", "offer_export_index", "índice de exportação do exportador (runbook, passo 2)", {}),
    *_sql("importer", "imported_offer", "ofertas importadas pelo importador (wl-03; runbook, passos 2 e 7)", {
        "offer_id": "id da oferta na loja (o offerId do buy-offer)",
        "eligible": "oferta elegível",
        "lifecycle_status": "ciclo de vida da oferta (ENABLED)",
        "offers_available": "estoque importado",
        "id": "id da importação (o {importedOfferId} do checkout)",
        "origin_offer_id": "id da oferta de origem no exportador",
        "unit_price": "preço unitário importado (o esperado pelo preflight)",
    }),
    *_sql("importer", "cross_wl_trade", "trades do lado do importador (runbook, passo 2)", {
        "hold_id": "o holdId do preflight com que o trade foi comprado",
    }),
    *_sql("importer", "account_privileges", "privilégios das contas do importador (runbook, passo 7)", {
        "id": "id da linha", "account_id": "conta", "buy_offer": "pode comprar",
    }),
    *_sql("importer", "xbalance", "saldo X$ (runbook, passo 7)", {
        "id": "id da linha de saldo (XPORY_BUYER_XBALANCE_ID)",
        "value": "valor do saldo",
        "account_id": "conta dona do saldo",
    }),
    *_sql("importer", "rbalance", "saldo R$ das contas do importador", {
        "account_id": "conta dona do saldo", "value": "valor do saldo",
    }),
    *_sql("importer", "xtransaction", "extrato X$ (lançamentos) das contas do importador", {
        "account_id": "conta do lançamento",
    }),
    *_sql("importer", "xtransaction_maturity", "maturidade do X$ (runbook, observações: 'Erro ao debitar em X$')", {
        "account_id": "conta da maturidade",
    }),
    *_sql("importer", "cp_relationship_cache", "cache dos relacionamentos do CP no importador (runbook, passo 2)", {
        "fetched_at": "quando o importador puxou a linha do CP",
    }),
    *_sql("importer", "cp_policy_cache", "cache das políticas do CP no importador (runbook, passo 2)", {
        "fetched_at": "quando o importador puxou a linha do CP",
    }),
    *_sql("importer", "offer_export_index", "índice de exportação do importador (runbook, passo 2)", {}),
]


def _keys(prefix: str, surface: str, keys: dict[str, str]) -> list[Fact]:
    return [Fact(f"{prefix}.{field}", "key", text, surface) for field, text in keys.items()]


EXPORT = "wl.exporter.export_offers"
HTTP = [
    Fact(f"{EXPORT}.total", "key", "total de ofertas exportadas (GET /api/v2/control-plane/export/offers)",
         "http:export_offers"),
    Fact(f"{EXPORT}.items", "envelope", "onde vêm as ofertas exportadas", "http:export_offers"),
    Fact(f"{EXPORT}.paging", "paging", "como se pagina a exportação", "http:export_offers"),
    Fact(f"{EXPORT}.timestamps", "timestamp", "formato das datas das ofertas exportadas", "http:export_offers"),
    *_keys(f"{EXPORT}.item", "http:export_offers", {
        "id": "id da oferta exportada (o id da oferta no exportador)",
        "category": "categoria da oferta exportada",
        "entity": "entidade da oferta exportada",
        "created_at": "criação da oferta exportada",
        "price": "preço da oferta exportada",
    }),
    Fact("wl.exporter.pending.items", "envelope",
         "onde vêm as compras pendentes (GET /api/v2/trader/purchases/pending)", "http:exporter_pending"),
    Fact("wl.exporter.pending.item.trade_id", "key", "id do trade de cada compra pendente", "http:exporter_pending"),
    *_keys("wl.exporter.decision", "", {
        "status": "status do trade na resposta de aprovar/rejeitar no exportador",
        "reason": "motivo da rejeição na resposta de rejeitar no exportador",
    }),
    *_keys("wl.exporter.preflight.request", "", {
        "origin_offer_id": "campo do pedido de preflight: a oferta de origem",
        "quantity": "campo do pedido de preflight: quantidade",
        "requester_wl_id": "campo do pedido de preflight: o WL importador",
        "requester_trader_id": "campo do pedido de preflight: a conta trader do importador",
        "client_buyer_masked": "campo do pedido de preflight: o comprador mascarado",
        "expected_unit_price": "campo do pedido de preflight: o preço que o importador espera",
    }),
    *_keys("wl.exporter.preflight", "", {
        "hold_id": "o id da reserva na resposta do preflight (o checkout o recebe como holdId)",
        "unit_price": "o preço reservado na resposta do preflight",
        "expires_at": "a validade da reserva na resposta do preflight",
    }),
    Fact("wl.exporter.preflight.timestamps", "timestamp", "formato da validade da reserva (expiresAt)"),
    *_keys("wl.exporter.purchase.request", "", {
        "origin_offer_id": "campo do pedido de compra ao exportador (POST /api/v2/trader/purchase): a oferta de origem",
        "quantity": "campo do pedido de compra ao exportador: quantidade",
        "requester_wl_id": "campo do pedido de compra ao exportador: o WL importador",
        "importer_trade_id": "campo do pedido de compra ao exportador: o id do trade no importador (o aviso da "
                             "decisão o cita)",
        "callback_url": "campo do pedido de compra ao exportador: uma URL para o aviso da decisão (o exportador "
                        "deve ignorá-la e avisar só o gatewayUrl que o CP guarda para o importador)",
    }),
    Fact("wl.exporter.purchase.trade_id", "key", "o id do trade na resposta da compra no exportador"),
    Fact("wl.exporter.callback.delivered", "template",
         "o que o exportador grava em callback_status quando o importador respondeu ao aviso da decisão "
         "({status}: o status HTTP da resposta)", placeholders=("status",)),
    Fact("wl.exporter.callback.suite_host", "text",
         "o endereço (IP ou nome) em que o exportador alcança um servidor HTTP que a suíte abre nesta máquina "
         "(a URL que a suíte manda como callbackUrl)"),
    Fact("wl.exporter.error.key", "key", "chave da mensagem de erro nas respostas de erro do exportador",
         "http:exporter_error"),
    *_keys("wl.importer.buy_offer.request", "", {
        "account_id": "campo do buy-offer: a conta", "token": "campo do buy-offer: o token da conta",
        "offer_id": "campo do buy-offer: a oferta importada", "quantity": "campo do buy-offer: quantidade",
        "payment_params": "campo do buy-offer: a forma de pagamento",
    }),
    *_keys("wl.importer.buy_offer", "", {
        "ok": "sucesso da compra (POST /api/v1/buy-offer)",
        "status": "status da compra",
        "msg": "mensagem da compra",
        "trade_id": "id do trade no importador, na resposta de uma compra aceita",
        "exporter_trade_id": "id do trade no exportador, na resposta de uma compra aceita",
        "total_price": "valor total debitado/retido, na resposta de uma compra aceita",
    }),
    Fact("wl.importer.buy_offer.msg_price_changed", "text",
         "a msg da compra recusada por PRICE_CHANGED (o runbook só diz 'indicando atualização de preço')"),
    Fact("wl.importer.buy_offer.msg_out_of_stock", "text",
         "a msg da compra recusada por OUT_OF_STOCK (o runbook só diz 'de oferta esgotada')"),
    *_keys("wl.importer.checkout.request", "", {
        "hold_id": "campo do checkout: a reserva",
        "account_id": "campo do checkout: a conta compradora",
        "token": "campo do checkout: o token da conta",
        "quantity": "campo do checkout: quantidade",
    }),
    *_keys("wl.importer.checkout", "", {
        "status": "status do checkout (REJECTED)",
        "reason": "motivo do checkout recusado (HOLD_EXPIRED)",
        "unit_price": "preço unitário no checkout",
        "ok": "sucesso do checkout",
        "trade_id": "id do trade no importador, na resposta de um checkout aceito",
    }),
    *_keys("wl.importer.debug_import", "", {
        "discovered": "ofertas descobertas no resumo do debug import",
        "eligible": "ofertas elegíveis no resumo do debug import",
    }),
    Fact("wl.importer.error.key", "key", "chave da mensagem de erro nas respostas de erro do importador",
         "http:importer_error"),
]

CORRELATION = [
    Fact("correlation.purchase_ids", "choice",
         "onde a suíte acha os ids do trade de uma compra aceita: na resposta do buy-offer ou na lista de "
         "pendentes do CP (GET /admin/api/trades/pending, pelo originOfferId)", choices=("resposta", "cp_pendentes")),
    Fact("correlation.cp_pending_external_id", "side",
         "o externalTradeId de GET /admin/api/trades/pending é o id do trade em qual WL"),
    Fact("correlation.cp_trade_key", "side",
         "o tradeExternalId de GET /admin/api/trades é o id do trade em qual WL"),
    Fact("correlation.cp_pending_id", "side",
         "o tradeId de GET /admin/api/trades/pending (e o que aprovar/rejeitar pelo CP recebem) é de qual WL"),
    Fact("correlation.cp_details_id", "side",
         "o id que GET /admin/api/trades/{id}/details recebe é o de qual WL"),
    Fact("correlation.notification_trade_id", "sides",
         "o tradeId das notificações de um trade é o id em qual WL"),
    Fact("correlation.admin_row_id", "choice",
         "qual campo de GET /admin/api/trades a linha da tela de negociações mostra", choices=("tradeId", "tradeExternalId")),
    Fact("correlation.store_offer_id", "choice",
         "qual coluna de imported_offer é o id da oferta na loja (/oferta/{id})", choices=("offer_id", "id")),
]


def _elements(prefix: str, surface: str, items: dict[str, str]) -> list[Fact]:
    return [Fact(f"{prefix}.{field}", "element", text, surface) for field, text in items.items()]


ADMIN = "ui.admin"
UI = [
    *[Fact(f"{ADMIN}.route.{page}", "route", f"rota da tela {title} (relativa a XPORY_ADMIN_UI_URL)", "ui:admin")
      for page, title in (("trades", "Negociações"), ("pending", "Aprovações"), ("notifications", "Notificações"),
                          ("balance", "Balança comercial"), ("relationships", "Relacionamentos"))],
    *_elements(f"{ADMIN}.login", "ui:admin:login", {
        "email": "campo de e-mail do login", "password": "campo de senha do login", "submit": "botão de entrar",
    }),
    *_elements(f"{ADMIN}.heading", "ui:admin", {
        "trades": "título da tela de negociações", "pending": "título da tela de aprovações",
        "notifications": "título da tela de notificações", "balance": "título da tela de balança comercial",
        "relationships": "título da tela de relacionamentos",
    }),
    Fact(f"{ADMIN}.loading", "text", "o começo do texto de carregando (a tela espera ele sumir)"),
    Fact(f"{ADMIN}.signed_in", "template", "o que a faixa do topo (papel em `papel`) mostra do usuário logado",
         "ui:admin", placeholders=("email", "role")),
    *_elements(f"{ADMIN}.trades", "ui:admin:trades", {
        "table": "tabela da tela de negociações", "status_column": "coluna de status da tabela de negociações",
        "refresh": "botão de atualizar da tela de negociações",
    }),
    *_elements(f"{ADMIN}.trades", "", {"details": "botão de detalhes de cada linha de negociação"}),
    *_elements(f"{ADMIN}.details", "", {
        "dialog": "modal de detalhes do trade", "offer": "rótulo da oferta no modal",
        "buyer": "rótulo do comprador no modal", "buyer_phone": "rótulo do contato do comprador no modal",
        "seller": "rótulo do vendedor no modal", "seller_phone": "rótulo do contato do vendedor no modal",
    }),
    Fact(f"{ADMIN}.pending.counter", "template", "o contador de pendentes da tela de aprovações", "ui:admin:pending",
         placeholders=("n",)),
    *_elements(f"{ADMIN}.pending", "ui:admin:pending", {"table": "tabela da fila de aprovação"}),
    *_elements(f"{ADMIN}.pending", "", {
        "approve": "botão de aprovar de cada linha", "reject": "botão de rejeitar de cada linha",
        "reject_dialog": "diálogo de rejeição", "reject_reason": "campo do motivo da rejeição",
        "reject_confirm": "botão que confirma a rejeição",
        "toast": "aviso de decisão (o nome é vazio; o texto traz o trade e o verbo)",
        "error": "aviso de erro de uma decisão",
    }),
    Fact(f"{ADMIN}.pending.approved_word", "text", "palavra do aviso de trade aprovado"),
    Fact(f"{ADMIN}.pending.rejected_word", "text", "palavra do aviso de trade rejeitado"),
    *_elements(f"{ADMIN}.notifications", "ui:admin:notifications", {
        "list": "lista de notificações", "refresh": "botão de atualizar as notificações",
    }),
    Fact(f"{ADMIN}.notifications.item", "element",
         "papel de cada notificação da lista (o nome é o título da notificação)"),
    Fact(f"{ADMIN}.notifications.mark_read", "element",
         "o controle que marca uma notificação como lida (nome vazio: clicar na própria notificação; um nome: "
         "o controle com esse nome e papel na linha da notificação)"),
    Fact(f"{ADMIN}.notifications.unread", "template", "o contador de não lidas", "ui:admin:notifications",
         placeholders=("n",)),
    *_elements(f"{ADMIN}.balance", "ui:admin:balance", {
        "origin": "seletor do WL de origem", "destination": "seletor do WL de destino", "search": "botão de buscar",
    }),
    Fact(f"{ADMIN}.balance.select_style", "choice", "como os seletores de WL funcionam", "ui:admin:balance",
         choices=("nativo", "customizado")),
    *[Fact(f"{ADMIN}.balance.label.{field}", "text", f"rótulo na tela de balança: {text}") for field, text in (
        ("confirmed", "contagem de confirmadas"), ("pending", "contagem de pendentes"),
        ("rejected", "contagem de rejeitadas"), ("origin_exported", "exportado pela origem (CONFIRMED origem → destino)"),
        ("origin_imported", "importado pela origem (CONFIRMED destino → origem)"),
        ("origin_balance", "saldo da origem"), ("total_exported", "totals.totalExported do par"),
        ("total_imported", "totals.totalImported do par"), ("balance", "totals.balance do par"),
        ("status", "status do relacionamento origem → destino"), ("fx", "fxRate do relacionamento"),
        ("limit", "limitAmount do relacionamento"))],
    *_elements(f"{ADMIN}.relationships", "ui:admin:relationships", {"table": "tabela de relacionamentos"}),
    Fact(f"{ADMIN}.relationships.row", "template", "o texto da linha de um relacionamento",
         placeholders=("origem", "destino")),
    *_elements(f"{ADMIN}.relationships", "", {
        "edit": "botão de editar de cada linha", "edit_dialog": "diálogo de edição do relacionamento",
        "categories": "seção de categorias do diálogo", "entities": "seção de entidades do diálogo",
        "category_search": "busca da seção de categorias",
    }),
    Fact(f"{ADMIN}.relationships.item", "template",
         "o nome de cada item das seções (papel em `papel`): nome e contagem de ofertas ativas",
         placeholders=("nome", "contagem")),
]
STORE = "ui.store"
UI += [
    Fact(f"{STORE}.route.sign_in", "route", "rota da entrada na loja (relativa a XPORY_STOREFRONT_URL)", "ui:store"),
    Fact(f"{STORE}.route.offer", "template", "rota da página de uma oferta", placeholders=("id",)),
    *_elements(f"{STORE}.sign_in", "ui:store:sign_in", {
        "account": "campo da conta", "token": "campo do token", "submit": "botão de entrar",
    }),
    Fact(f"{STORE}.signed_in", "template", "o texto que mostra a conta logada", placeholders=("conta",)),
    *_elements(f"{STORE}.offer", "", {
        "buy": "botão de comprar da oferta", "price_dialog": "aviso de preço atualizado",
        "reload": "botão do aviso que recarrega a página", "alert": "alerta de compra recusada",
    }),
]

FACTS: tuple[Fact, ...] = (*SQL, *HTTP, *CORRELATION, *UI)
BY_NAME: dict[str, Fact] = {fact.name: fact for fact in FACTS}
SURFACES = sorted({fact.surface for fact in FACTS if fact.surface})
