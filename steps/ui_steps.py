"""Steps of the @ui features: the importer's storefront and the CP Admin UI, driven in Chromium
through the page objects of support/ui; every expectation comes from the stack (API or SQL)."""
from urllib.parse import parse_qs, urlparse

from behave import given, then, when
from hamcrest import assert_that, empty, equal_to, greater_than, has_entries, has_item, is_not, less_than, none, not_none
from playwright.sync_api import expect

from support import correlation, preflight, queries, security, trading
from support import vocabulary as _vocabulary  # registers the typed parameters
from support.expect import expect as expect_http
from support.text import contains_words, same_words
from support.ui.balance import differences, expected_screen
from support.ui.texts import is_placeholder, pattern
from support.wait import until


def _telemetry(context) -> float:
    """The profile's deadline for what a WL does to reach the CP and the other WL (XPORY_TELEMETRY_TIMEOUT_SECONDS)."""
    return context.session.config.telemetry_timeout_seconds


def _ui(context):
    return context.world.browser()


def _cp_trade(context, purchase) -> dict:
    """The CP's projected trade of a purchase (polled: the telemetry may still be on its way)."""
    s = context.session
    return until(lambda: trading.cp_trade_of(s, purchase), lambda item: item is not None, timeout=_telemetry(context),
                 describe=f"o CP listar o trade {correlation.cp_trade_key(s, purchase)}")


def _admin_row_id(context, purchase) -> str:
    """The id the trades screen shows in the purchase's row."""
    return correlation.admin_row_id(context.session, _cp_trade(context, purchase))


def _wl_ids(context) -> dict[str, str]:
    s = context.session
    return {wl["name"]: wl["id"] for wl in expect_http(s.cp_admin.list_wls(limit=200), 200, s, "GET /wls")["items"]}


# --- storefront -------------------------------------------------------------------------------
@given("que o comprador QA entrou na loja com sua conta e seu token")
def step_store_sign_in(context):
    """Formulário "Entrar" da loja com XPORY_QA_ACCOUNT_ID / XPORY_QA_TOKEN (PW_ACCOUNT_ID / PW_TOKEN do runbook).

    Contexto: a loja do importador (@ui), depois do comprador QA
    Exemplo: E que o comprador QA entrou na loja com sua conta e seu token
    """
    c = context.session.config
    _ui(context).storefront.sign_in(c.qa_account_id, c.qa_token)


@when("o comprador QA tenta comprar essa oferta na loja")
def step_store_buy(context):
    """Abre a página da oferta importada escolhida e clica em "Comprar".

    Exemplo: Quando o comprador QA tenta comprar essa oferta na loja
    """
    store = _ui(context).storefront
    store.open_offer(correlation.store_offer_id(context.session, context.world.offer))
    preflight.guard_qa_money(context.session)  # a purchase that charges by mistake is topped back up at the end
    store.buy()


@then('a loja mostra {forma:AvisoDaLoja} "{message}"')
def step_store_notice(context, forma, message):
    """"o aviso": um diálogo (role dialog) visível com o texto; "o alerta": um alerta (role alert) visível com
    o texto e nenhum diálogo de preço. Com ou sem acentos.

    Exemplo: Então a loja mostra o aviso "O preço desta oferta foi atualizado. Atualize a página e tente novamente."
    Exemplo: Então a loja mostra o alerta "Oferta esgotada."
    """
    store = _ui(context).storefront
    if forma == "dialog":
        dialog = store.price_dialog()
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(pattern(message))
        return
    expect(store.alert(message)).to_be_visible()
    expect(store.price_dialog()).to_be_hidden()


@then("o botão do aviso recarrega a página da oferta")
def step_store_reload(context):
    """O botão do diálogo navega de novo para a mesma URL: documento novo (a marca do antigo sumiu), sem o diálogo.

    Exemplo: E o botão do aviso recarrega a página da oferta
    """
    store = _ui(context).storefront
    seen = store.reload_from_dialog()
    assert_that(seen["navigations"], has_item(seen["url_before"]), f"navegações: {seen}")
    assert_that(seen["mark_after"], none(), "o documento antigo continua na tela (não houve recarga)")
    assert_that(seen["url_after"], equal_to(seen["url_before"]))
    expect(store.price_dialog()).to_be_hidden()
    expect(store.buy_button()).to_be_enabled()


# --- Admin UI: login and trade details -----------------------------------------------------------
@given("que eu entrei na Admin UI como {papel:Papel}")
def step_admin_login(context, papel):
    """Login em /admin/ com o usuário de bootstrap do papel (XPORY_ADMIN_*, XPORY_TRADER_*, XPORY_MANAGER_*;
    HTTPS verificado pela CA do perfil); a faixa do topo mostra o e-mail e o papel.

    Contexto: telas da Admin UI com um papel (@ui), depois do ambiente e do comprador em massa
    Exemplo: E que eu entrei na Admin UI como MASTER
    Exemplo: Dado que eu entrei na Admin UI como MANAGER
    """
    email, password = security.credentials(context.session, papel)
    ui = _ui(context)
    ui.sign_in_admin(email, password)  # the form once per run and user; then the state that login left
    admin = ui.admin
    assert_that(admin.signed_in_shows(email, papel), equal_to(True), f"a faixa do topo mostra o {papel}")


@when("eu abro na tela de negociações os detalhes desse trade")
def step_admin_details(context):
    """/admin/trades → botão "Detalhes" da linha do trade; guarda o que o modal mostra e o que a API responde.

    Exemplo: Quando eu abro na tela de negociações os detalhes desse trade
    """
    s, admin = context.session, _ui(context).admin
    purchase = context.world.purchases[0]
    row_id = _admin_row_id(context, purchase)
    details_id = correlation.cp_details_id(s, purchase)
    api = until(lambda: s.cp_admin.trade_details(details_id), lambda r: r.status_code == 200, timeout=_telemetry(context),
                describe="o CP conhecer os detalhes do trade").json()
    admin.open_trades()
    dialog = admin.open_trade_details(row_id)
    context.world.details_api, context.world.details_shown = api, admin.trade_details_shown(dialog)


@then('o modal mostra a oferta, o comprador e o vendedor que a API informa, sem "-" nem "—" no lugar de um valor')
def step_admin_details_shown(context):
    """Oferta = offerName, Comprador = importer.clientName, Vendedor = exporter.clientName (e contatos); nenhum placeholder.

    Exemplo: Então o modal mostra a oferta, o comprador e o vendedor que a API informa, sem "-" nem "—" no lugar de um valor
    """
    api, shown = context.world.details_api, context.world.details_shown
    assert_that([label for label, value in shown.items() if is_placeholder(value)], empty(), f"modal: {shown}")
    assert_that(shown, has_entries({
        "offer_name": api.get("offerName"),
        "buyer": (api.get("importer") or {}).get("clientName"),
        "buyer_phone": (api.get("importer") or {}).get("clientPhone"),
        "seller": (api.get("exporter") or {}).get("clientName"),
        "seller_phone": (api.get("exporter") or {}).get("clientPhone"),
    }))


# --- Admin UI: approvals ---------------------------------------------------------------------------
SOME_PURCHASES = "Dado que o comprador fez 2 compras que aguardam aprovação"


def _decide_on_screen(context, approve: bool, reason: str | None) -> None:
    """/admin/trades/pending: the next undecided purchase of the scenario, "Aprovar", or "Rejeitar" +
    "Motivo" + "Confirmar rejeição"; the first time, after the CP lists every undecided purchase, the
    screen's pending counter is kept."""
    s, admin, world = context.session, _ui(context).admin, context.world
    decided = {id(d["purchase"]) for d in world.decisions}
    free = [p for p in world.need("purchases", SOME_PURCHASES) if id(p) not in decided]
    if not free:
        raise AssertionError(f"nenhuma compra do cenário está sem decisão: faça compras antes («{SOME_PURCHASES}»)")
    if world.pending_before is None:
        ids = {correlation.cp_pending_id(s, p) for p in free}
        until(lambda: {i["tradeId"] for i in expect_http(s.cp_admin.pending_trades(), 200, s, "pendentes")["items"]},
              lambda listed: ids <= listed, timeout=_telemetry(context),
              describe="o CP listar as compras como pendentes")
        admin.open_pending()
        world.pending_before = admin.pending_count()
    trade_id = correlation.cp_pending_id(s, free[0])
    if approve:
        admin.approve_on_screen(trade_id)
    else:
        admin.reject_on_screen(trade_id, reason)
    world.decisions.append({"purchase": free[0], "approve": approve, "reason": reason, "via": "ui", "answer": None})


@when("eu aprovo na tela de aprovações uma dessas compras")
def step_admin_approve(context):
    """Botão "Aprovar" na linha da próxima compra do cenário ainda sem decisão (/admin/trades/pending).

    Precisa antes: Dado que o comprador fez 2 compras que aguardam aprovação
    Exemplo: Quando eu aprovo na tela de aprovações uma dessas compras
    """
    _decide_on_screen(context, True, None)


@when('eu rejeito na tela de aprovações uma dessas compras com o motivo "{motivo}"')
def step_admin_reject(context, motivo):
    """"Rejeitar", o motivo no campo "Motivo" e "Confirmar rejeição", na linha da próxima compra ainda sem decisão.

    Precisa antes: Dado que o comprador fez 2 compras que aguardam aprovação
    Exemplo: E eu rejeito na tela de aprovações uma dessas compras com o motivo "MANUAL_REJECT"
    """
    _decide_on_screen(context, False, motivo)


@then("a tela de negociações mostra cada compra decidida com o status da sua decisão")
def step_admin_trades_statuses(context):
    """/admin/trades ("Atualizar" até o CP receber as decisões): coluna Status de cada compra decidida no
    cenário, CONFIRMED se aprovada e REJECTED se rejeitada.

    Precisa antes: Quando eu aprovo na tela de aprovações uma dessas compras
    Exemplo: E a tela de negociações mostra cada compra decidida com o status da sua decisão
    """
    admin = _ui(context).admin
    decisions = context.world.need("decisions", "Quando eu aprovo na tela de aprovações uma dessas compras")
    ids = {_admin_row_id(context, d["purchase"]): "CONFIRMED" if d["approve"] else "REJECTED" for d in decisions}
    admin.open_trades()

    def shown():
        admin.refresh_trades()
        return {trade_id: admin.trade_status(trade_id) for trade_id in ids}

    until(shown, lambda statuses: statuses == ids, timeout=_telemetry(context), describe=f"a tela mostrar os status {ids}")


# --- Admin UI: notifications -----------------------------------------------------------------------
def _api_notifications(context) -> tuple[list[dict], int, int]:
    s = context.session
    body = expect_http(s.cp_admin.notifications(limit=50, offset=0), 200, s, "GET /notifications")
    unread = expect_http(s.cp_admin.unread_count(), 200, s, "GET /notifications/unread-count")["count"]
    return body["items"], body["count"], unread


def _differences_from_api(context) -> tuple[list[dict], list[str]]:
    """The API's first page of notifications, and how the screen differs from it: the items (title and
    message, in order) and the unread counter."""
    admin = _ui(context).admin
    items, _, unread = _api_notifications(context)
    shown = admin.notification_links().all_inner_texts()  # one round trip for the whole list
    found = [] if len(shown) == len(items) else [f"a tela lista {len(shown)} notificações, a API {len(items)}"]
    for index, (text, item) in enumerate(zip(shown, items, strict=False)):  # a length difference is above
        if not (contains_words(text, item["title"]) and contains_words(text, item["message"])):
            found.append(f"item {index} da tela {text!r} × API {item['title']!r} {item['message']!r}")
            break
    counter = admin.unread_counter()
    if counter != unread:
        found.append(f"não lidas: a tela mostra {counter}, a API conta {unread}")
    return items, found


def _synced_notifications(context) -> list[dict]:
    """The screen's list and unread counter once they are the API's: a trade may bring more than one
    notification (each WL's telemetry), and one may reach the CP between the screen's load and the API's
    answer; then "Atualizar" and compare again, until the telemetry deadline."""
    admin = _ui(context).admin

    def compare_or_refresh() -> tuple[list[dict], list[str]]:
        items, found = _differences_from_api(context)
        if found:
            admin.refresh_notifications()
        return items, found

    items, found = until(compare_or_refresh, lambda result: not result[1], timeout=_telemetry(context),
                         describe="a tela de notificações mostrar o que a API lista")
    assert_that(found, empty())
    return items


@given("que eu abri a tela de notificações")
def step_admin_notifications_open(context):
    """/admin/notifications carrega: os mesmos itens, na mesma ordem, e o mesmo contador de não lidas da API.

    Exemplo: E que eu abri a tela de notificações
    """
    _ui(context).admin.open_notifications()
    context.world.notifications_before = [i["id"] for i in _synced_notifications(context)]


@when('eu clico em "Atualizar" na tela de notificações')
def step_admin_notifications_refresh(context):
    """Botão "Atualizar" (sem recarregar a página).

    Exemplo: E eu clico em "Atualizar" na tela de notificações
    """
    _ui(context).admin.refresh_notifications()


@then('a tela passa a listar a notificação "{title}" dessa compra, como a API')
def step_admin_notifications_updated(context, title):
    """Lista e contador de não lidas iguais aos da API; a notificação mais recente com esse título é a da
    compra do cenário, e a tela não a listava quando foi aberta.

    Precisa antes: E que eu abri a tela de notificações
    Exemplo: Então a tela passa a listar a notificação "Novo trade" dessa compra, como a API
    """
    before = context.world.notifications_before
    if before is None:
        raise AssertionError("este passo usa o que um passo anterior guarda (notifications_before): escreva antes "
                             "«E que eu abri a tela de notificações»")
    ours = correlation.notification_ids(context.session, context.world.purchases[0])
    until(lambda: _api_notifications(context)[0],
          lambda got: any(same_words(i["title"], title) and i["tradeId"] in ours for i in got),
          timeout=_telemetry(context), describe=f"o CP notificar {title!r} dessa compra")
    items = _synced_notifications(context)
    newest = next((i for i in items if same_words(i["title"], title)), None)
    assert_that(newest, not_none(), f"a API não tem notificação {title!r}")
    assert_that(ours, has_item(newest["tradeId"]))
    assert_that(before, is_not(has_item(newest["id"])), "a tela já listava essa notificação ao ser aberta")
    context.world.notification = newest


@when('eu marco como lida a notificação "{title}" mais recente')
def step_admin_notification_mark_read(context, title):
    """Marca como lida, na tela, a notificação mais recente com esse título, do jeito que o mapa diz
    (ui.admin.notifications.mark_read: clicar nela, ou o controle "Marcar como lida" da linha), e espera o
    POST /notifications/{id}/read da tela. Guarda o contador de não lidas de antes e a notificação marcada.

    Precisa antes: E que eu abri a tela de notificações
    Exemplo: Quando eu marco como lida a notificação "Trade pendente" mais recente
    """
    admin, world = _ui(context).admin, context.world
    items = _synced_notifications(context)  # the screen lists what the API lists, in the same order
    newest = next((i for i in items if same_words(i["title"], title)), None)
    assert_that(newest, not_none(), f"a tela não lista nenhuma notificação {title!r}")
    assert_that(newest["readAt"], none(), f"a notificação {title!r} mais recente já estava lida: {newest}")
    world.unread_before = admin.unread_counter()
    world.notification_marked = newest
    world.unread_others = [i["id"] for i in items if i["id"] != newest["id"] and i["readAt"] is None]
    world.notifications_seen = [i["id"] for i in items]
    admin.mark_notification_read(title)


@then("a API guarda como lida a notificação que eu marquei")
def step_admin_notification_read_in_api(context):
    """GET /notifications do mesmo usuário: a notificação marcada tem readAt (a leitura é por usuário, §9.2);
    as outras que estavam não lidas continuam sem readAt.

    Precisa antes: Quando eu marco como lida a notificação "Trade pendente" mais recente
    Exemplo: Então a API guarda como lida a notificação que eu marquei
    """
    marked = context.world.need("notification_marked", 'Quando eu marco como lida a notificação "..." mais recente')
    items = until(lambda: _api_notifications(context)[0],
                  lambda got: any(i["id"] == marked["id"] and i["readAt"] for i in got),
                  timeout=_telemetry(context), describe="o CP guardar a leitura da notificação")
    others = set(context.world.unread_others)
    assert_that([i["id"] for i in items if i["id"] in others and i["readAt"]], empty(),
                "a tela marcou como lidas também outras notificações")


@when('eu clico na notificação "{title}" mais recente')
def step_admin_notification_click(context, title):
    """Clica no primeiro item da lista com esse título e espera a navegação.

    Exemplo: Quando eu clico na notificação "Novo trade" mais recente
    """
    _ui(context).admin.open_notification(title)


@then("abre a tela de negociações do exportador para o importador, com essa compra CONFIRMED")
def step_admin_notification_target(context):
    """URL /admin/trades?sourceId=<exportador>&targetId=<importador> (ids do perfil), título "Negociações",
    e a linha do trade com Status CONFIRMED.

    Exemplo: Então abre a tela de negociações do exportador para o importador, com essa compra CONFIRMED
    """
    c, admin = context.session.config, _ui(context).admin
    expect(admin.trades_heading()).to_be_visible()
    url = urlparse(admin.path())
    assert_that(url.path, equal_to(urlparse(admin.base_url).path + admin.trades_path()))
    assert_that(parse_qs(url.query), equal_to({"sourceId": [c.exporter_wl_id], "targetId": [c.importer_wl_id]}))
    trade_id = _admin_row_id(context, context.world.purchases[0])
    status = admin.trade_status(trade_id)
    if status != "CONFIRMED":  # the page may have loaded before the CP projected the confirmation
        status = until(lambda: (admin.refresh_trades(), admin.trade_status(trade_id))[1],
                       lambda shown: shown == "CONFIRMED", timeout=_telemetry(context),
                       describe="a tela mostrar o trade CONFIRMED")
    assert_that(status, equal_to("CONFIRMED"))


# --- Admin UI: any screen ------------------------------------------------------------------------
@when("eu abro na Admin UI a tela {tela:TelaDaAdmin}")
def step_admin_open_screen(context, tela):
    """Abre a tela pela rota do mapa (ui.admin.route.*) e espera o seu título (ui.admin.heading.*).

    Exemplo: Quando eu abro na Admin UI a tela de relacionamentos
    Exemplo: Quando eu abro na Admin UI a tela de aprovações
    """
    assert tela in _vocabulary.TELA_DA_ADMIN.values.values()  # the entries it reads (the readiness derivation)
    _ui(context).admin.open_screen(*tela)


@then("a tela {tela:TelaComTabela} lista {comparacao:Comparacao} {n:d} linhas")
def step_admin_count_rows(context, tela, comparacao, n):
    """Conta as linhas de dados da tabela da tela aberta (uma célula por coluna; cabeçalho e "nenhum item"
    não contam) e compara com o número escrito.

    Precisa antes: Quando eu abro na Admin UI a tela de relacionamentos
    Exemplo: Então a tela de relacionamentos lista exatamente 2 linhas
    Exemplo: Então a tela de negociações lista pelo menos 1 linhas
    """
    assert tela in _vocabulary.TELA_COM_TABELA.values.values()  # the entries it reads (the readiness derivation)
    heading, table = tela
    admin = _ui(context).admin
    if not admin.shows(heading):
        raise AssertionError(f"a tela de {table.split('.')[2]} não está aberta: "
                             "comece com 'Quando eu abro na Admin UI a tela ...'")
    rows = admin.data_rows(table)
    assert_that(_vocabulary.compare(rows, comparacao, n), equal_to(True),
                f"a tela lista {rows} linhas; esperado {comparacao} {n}")


# --- Admin UI: commercial balance --------------------------------------------------------------------
@when('eu consulto na tela a balança comercial de "{origin}" para "{destination}"')
def step_admin_balance(context, origin, destination):
    """/admin/commercial-balance: "WL origem", "WL destino", "Buscar".

    Exemplo: E eu consulto na tela a balança comercial de "wl-exporter" para "wl-importer"
    """
    admin = _ui(context).admin
    admin.open_balance()
    admin.search_balance(origin, destination)
    context.world.balance_pair = (origin, destination)


@then("a tela mostra as mesmas contagens e os mesmos totais do relatório de balança comercial da API")
def step_admin_balance_matches(context):
    """Confirmadas/Pendentes/Rejeitadas, totais e relacionamento iguais aos de GET /admin/api/reports/trade-balance
    (buscando de novo enquanto a telemetria das decisões ainda chega); o par tem confirmadas e rejeitadas.

    Exemplo: Então a tela mostra as mesmas contagens e os mesmos totais do relatório de balança comercial da API
    """
    s, admin = context.session, _ui(context).admin
    origin, destination = context.world.balance_pair
    ids = _wl_ids(context)

    def compare():
        report = expect_http(s.cp_admin.trade_balance(wlExporter=ids[origin], wlImporter=ids[destination]), 200, s,
                             "GET /reports/trade-balance")
        want = expected_screen(report, ids[origin], ids[destination])
        if want is None:
            return want, ["a API não tem o par no relatório"]
        return want, differences(admin.balance_values(want), want)

    def search_again_and_compare():
        admin.search_balance(origin, destination)
        return compare()

    want, diff = compare()
    if diff:  # the report moves while the decisions' telemetry arrives: search again until both agree
        want, diff = until(search_again_and_compare, lambda result: not result[1], timeout=_telemetry(context),
                           describe="a tela e a API mostrarem a mesma balança")
    assert_that(diff, empty())
    assert_that(want["confirmed"], greater_than(0))
    assert_that(want["rejected"], greater_than(0))


# --- Admin UI: relationships -------------------------------------------------------------------------
@when('eu abro a edição do relacionamento de "{origin}" para "{destination}"')
def step_admin_edit_relationship(context, origin, destination):
    """/admin/relationships → "Editar" na linha "origem → destino" → diálogo "Editar relacionamento".

    Exemplo: Quando eu abro a edição do relacionamento de "wl-exporter" para "wl-importer"
    """
    admin = _ui(context).admin
    admin.open_relationships()
    context.world.relationship_dialog = admin.edit_relationship(origin, destination)


@then('a categoria "{category_id}" aparece como "{name}" com a contagem de ofertas ativas do snapshot do CP')
def step_admin_category_count(context, category_id, name):
    """Seção "Categorias": caixa "<nome> <contagem>" com a contagem = activeCount de GET /wls/{exportador}/offer-categories.

    Exemplo: Então a categoria "15" aparece como "Alimentação" com a contagem de ofertas ativas do snapshot do CP
    """
    admin = _ui(context).admin
    snapshot = {str(c["categoryId"]): c for c in queries.category_snapshot(context.session)}
    item = snapshot.get(category_id)
    assert_that(item, not_none(), f"a categoria {category_id} não está no snapshot do CP")
    assert_that(same_words(item["name"], name), equal_to(True), f"snapshot: {item}")
    label, count = admin.snapshot_item(context.world.relationship_dialog, "Categorias", name)
    assert_that(count, equal_to(int(item["activeCount"])), f"tela: {label!r}, snapshot: {item}")
    context.world.category_shown = (name, count)


@then('buscar "{term}" nas categorias mantém essa categoria com a mesma contagem')
def step_admin_category_search(context, term):
    """Caixa de busca da seção "Categorias" (sem acentos de propósito): o item continua visível com a mesma contagem.

    Exemplo: E buscar "alimentacao" nas categorias mantém essa categoria com a mesma contagem
    """
    admin = _ui(context).admin
    dialog = context.world.relationship_dialog
    name, count = context.world.category_shown
    admin.search_categories(dialog, term)
    label, after = admin.snapshot_item(dialog, "Categorias", name)
    assert_that(after, equal_to(count), f"depois da busca: {label!r}")


@then('a busca por "{term}" esconde as categorias do snapshot cujo nome não casa com ela')
def step_admin_category_search_hides(context, term):
    """Depois da busca, a seção "Categorias" mostra exatamente as categorias do snapshot do CP cujo nome casa
    com o termo (sem acentos nem caixa): as outras somem. O snapshot precisa ter alguma que não casa.

    Precisa antes: E buscar "alimentacao" nas categorias mantém essa categoria com a mesma contagem
    Exemplo: E a busca por "alimentacao" esconde as categorias do snapshot cujo nome não casa com ela
    """
    admin = _ui(context).admin
    dialog = context.world.need("relationship_dialog", 'Quando eu abro a edição do relacionamento de "wl-exporter" '
                                                       'para "wl-importer"')
    names = [str(c["name"]) for c in queries.category_snapshot(context.session)]
    matching = sorted(n for n in names if contains_words(n, term))
    assert_that(len(matching), less_than(len(names)), f"nenhuma categoria do snapshot deixa de casar com {term!r}")
    shown = until(lambda: admin.shown_items(dialog, "Categorias"), lambda labels: len(labels) == len(matching),
                  timeout=context.session.config.ui_timeout_seconds, interval=0.1, max_interval=0.5,
                  describe=f"a busca por {term!r} deixar só as categorias que casam")
    assert_that([label for label in shown if not contains_words(label, term)], empty(), "categorias que não casam")
