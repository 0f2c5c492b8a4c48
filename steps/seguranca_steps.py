"""Steps of the security feature: the peer-token endpoint's mTLS, the admin API's bearer and role checks,
peer tokens the CP never issued at the importer, and the purchase scope at the exporter."""
from behave import given, then, when
from hamcrest import assert_that, empty, equal_to, is_not, none

from support import ahead, callback_guard, import_evidence, mtls_probe, peer_tokens, security, token_ahead, token_misuse
from support import vocabulary as _vocabulary  # noqa: F401  (registers the typed parameters)
from support.expect import expect
from support.reset.phases import PHASE, at_least


@given("que o exportador e o importador estão cadastrados no CP com o relacionamento ativo")
def step_wls_related(context):
    """Reset até os WLs com ids fixos, visibilidade, relacionamentos ativos e contas trader (passos 1 a 3).

    Contexto: segurança, papéis da API admin e campos do relacionamento (@seguranca): sem ofertas importadas, o mais rápido
    Exemplo: Dado que o exportador e o importador estão cadastrados no CP com o relacionamento ativo
    """
    at_least(context.session, PHASE["visibilidade, relacionamentos e contas trader"])


# --- mTLS of the peer-token endpoint ------------------------------------------------------------------
@when("alguém pede ao CP um peer token do importador para o exportador apresentando {certificado:Certificado}")
def step_peer_token_with(context, certificado):
    """POST /wls/{importador}/peer-token em XPORY_CP_URL apresentando o certificado dado (nenhum, um de outra
    CA, ou o do WL) e guarda como a conexão terminou.

    Exemplo: Quando alguém pede ao CP um peer token do importador para o exportador apresentando nenhum certificado
    """
    context.world.mtls_attempt = mtls_probe.peer_token_attempt(context.session, certificado)


@then("o CP interrompe o handshake TLS, sem dar resposta HTTP")
def step_tls_refused(context):
    """A conexão (em TLS 1.2) falhou no handshake: nenhuma resposta HTTP; o servidor foi verificado com a CA do perfil.

    Precisa antes: Quando alguém pede ao CP um peer token do importador para o exportador apresentando nenhum certificado
    Exemplo: Então o CP interrompe o handshake TLS, sem dar resposta HTTP
    """
    attempt = context.world.mtls_attempt
    assert attempt.refused_in_handshake, f"o CP não interrompeu o handshake TLS — {attempt.describe()}"


@then("o mesmo pedido, com o certificado cliente do WL, recebe um peer token")
def step_same_request_with_wl_certificate(context):
    """Controle: com o .p12 do WL (XPORY_CLIENT_P12) o CP responde 201 com um token.

    Exemplo: E o mesmo pedido, com o certificado cliente do WL, recebe um peer token
    """
    attempt = mtls_probe.peer_token_attempt(context.session, mtls_probe.WL_CERTIFICATE)
    assert_that(attempt.status, equal_to(201), attempt.describe())


@when("alguém pede pela API admin um peer token do importador para o exportador")
def step_peer_token_via_admin(context):
    """POST /admin/api/wls/{importador}/peer-token, no listener admin (sem certificado cliente).

    Exemplo: Quando alguém pede pela API admin um peer token do importador para o exportador
    """
    s, c = context.session, context.session.config
    context.world.response = s.cp_admin.call("POST", f"/wls/{c.importer_wl_id}/peer-token", auth=False,
                                             json={"targetWlId": c.exporter_wl_id, "scopes": ["offers:sync"]})


# --- admin API ------------------------------------------------------------------------------------------
@when("alguém consulta {consulta:ConsultaAdmin} na API admin com {credencial:Credencial}")
def step_admin_with(context, consulta, credencial):
    """GET da rota admin sem token, com um token forjado (HS256 com um segredo inventado) ou com o do MASTER.

    Exemplo: Quando alguém consulta os trades pendentes na API admin com nenhum token
    """
    context.world.response = security.admin_call(context.session, credencial, consulta)


@then('a resposta é {status:d} com o erro "{erro}"')
def step_refused_with(context, status, erro):
    """A última resposta (de qualquer passo que chama a API) tem o status e o corpo JSON {"error": "<erro>"} exatos.

    Exemplo: Então a resposta é 401 com o erro "Missing bearer token"
    """
    security.expect_refusal(context.session, context.world.response, status, erro, "resposta")


@then("a resposta é {status:d}")
def step_status(context, status):
    """A última resposta (de qualquer passo que chama a API) tem esse status HTTP.

    Exemplo: Então a resposta é 200
    """
    s = context.session
    expect(context.world.need("response", "Quando eu consulto os trades pendentes na API admin"), status, s, "resposta")


@when("eu entro na API admin como {papel:Papel}")
def step_admin_login_as(context, papel):
    """POST /admin/api/auth/login com o usuário de bootstrap do papel (XPORY_ADMIN_*, XPORY_TRADER_*,
    XPORY_MANAGER_*); as consultas seguintes vão com o token dele.

    Exemplo: Quando eu entro na API admin como TRADER
    """
    context.world.admin_client = security.logged_in(context.session, papel)


@when("eu consulto {consulta:ConsultaAdmin} na API admin")
def step_admin_read(context, consulta):
    """GET da rota admin com o token de quem entrou.

    Precisa antes: Quando eu entro na API admin como TRADER
    Exemplo: E eu consulto os usuários do CP na API admin
    """
    client = context.world.need("admin_client", "Quando eu entro na API admin como TRADER")
    context.world.response = client.call("GET", consulta)


# --- peer tokens at the importer and the exporter ---------------------------------------------------------
@given("que o importador tem um peer token verdadeiro do CP {escopos:EscoposDoToken}")
def step_genuine_peer_token(context, escopos):
    """Peer token importador → exportador emitido pelo CP via mTLS, com os escopos offers:sync e trader:purchase
    ("para importar do exportador") ou só com um deles.

    Exemplo: Dado que o importador tem um peer token verdadeiro do CP para importar do exportador
    Exemplo: Dado que o importador tem um peer token verdadeiro do CP só com o escopo "offers:sync"
    """
    s = context.session
    context.world.peer_token = token_ahead.take_token(context, escopos) or security.real_peer_token(s, escopos)


@when("{quem:UsoDoToken} para {acao:AcaoCompra} no exportador")
def step_purchase_call(context, quem, acao):
    """GET /api/v2/trader/purchases/pending ou POST /api/v2/trader/purchase/preflight (em nome do importador)
    com o token que o cenário guardou (um peer token do importador, ou o token fora do lugar de alguém).

    Precisa antes: Dado que o importador tem um peer token verdadeiro do CP só com o escopo "offers:sync"
    Exemplo: Quando o importador usa esse peer token para listar as compras pendentes no exportador
    Exemplo: Quando alguém usa esse token para fazer o preflight de uma compra no exportador
    """
    token = context.world.need("peer_token", 'Dado que o importador tem um peer token verdadeiro do CP só com o '
                                             'escopo "offers:sync"' if quem == "importador" else
                                             "Dado que alguém tem o token de admin do MASTER")
    context.world.response = security.exporter_purchase_call(context.session, acao, token)


@then("a resposta não traz dados de compra, só um erro")
def step_no_purchase_data(context):
    """A recusa do exportador não traz lista de compras nem reserva (holdId), e traz um corpo de erro (a chave
    de erro do WL, pelo mapa da stack). Use depois de `a resposta é 403` ou `a resposta é 401 com o erro "..."`.

    Precisa antes: Quando o importador usa esse peer token para listar as compras pendentes no exportador
    Exemplo: E a resposta não traz dados de compra, só um erro
    """
    s = context.session
    response = context.world.need("response", "Quando o importador usa esse peer token para listar as compras "
                                              "pendentes no exportador")
    assert_that(security.purchase_data_in(s, response), empty(), "o exportador devolveu dados de compra")
    assert_that(security.error_of(s, response), is_not(none()), "corpo de erro")


# --- genuine CP tokens where they do not belong (support/token_misuse.py) --------------------------------
@given("que alguém tem {credencial:TokenForaDoLugar}")
def step_someone_holds(context, credencial):
    """Um token verdadeiro, assinado pelo CP ou pela API admin, de um tipo ou de um dono que não serve aqui:
    o token de WL do importador (POST /wls/{id}/token) com um escopo, o JWT de admin do MASTER, ou o peer
    token que o exportador pede ao CP para chamar o importador.

    Exemplo: Dado que alguém tem o token de admin do MASTER
    """
    context.world.peer_token = token_misuse.credential(context.session, credencial)


@given("que uma importação mudaria as ofertas importadas do importador")
def step_import_would_show(context):
    """Com ofertas importadas, força no cache do exportador (UPDATE do runbook, passo 5) uma export_policy que
    nada deixa passar, e o cache volta ao fim do cenário; sem nenhuma, confere que o exportador exporta algo.
    Guarda cada linha de imported_offer (oferta, elegível, ciclo de vida, disponíveis).

    Exemplo: Dado que uma importação mudaria as ofertas importadas do importador
    """
    evidence = import_evidence.make_import_visible(context.session)
    context.add_cleanup(evidence.restore)
    context.world.import_evidence = evidence


@when("alguém chama o debug import do importador com esse {token:TokenNoDebugImport}")
def step_debug_import_with(context, token):
    """POST /api/v2/control-plane/debug/import com o token do cenário, tal qual ("esse token") ou forjado pela
    suíte a partir do peer token verdadeiro (outra chave com o kid do CP, vencido, ou com a validade adulterada).

    Precisa antes: Dado que o importador tem um peer token verdadeiro do CP para importar do exportador
    Exemplo: Quando alguém chama o debug import do importador com esse token
    Exemplo: Quando alguém chama o debug import do importador com esse peer token vencido há uma hora, assinado pela suíte
    """
    s = context.session
    real = context.world.need("peer_token", "Dado que o importador tem um peer token verdadeiro do CP para importar "
                                            "do exportador")
    if token is not None:
        forged = security.forge_peer_token(s, real, token)
        context.world.forged_token = real = forged.token
    context.world.response = security.debug_import_with(s, real)


@then("nenhuma oferta importada mudou: o importador não importou nada")
def step_no_import_happened(context):
    """Cada linha de imported_offer está como antes da chamada (uma importação as teria mudado).

    Exemplo: E nenhuma oferta importada mudou: o importador não importou nada
    """
    assert_that(import_evidence.changes(context.session, context.world.import_evidence), empty(),
                "o importador importou com um token que devia recusar")


@when("o importador usa esse peer token para {chamada:ChamadaComToken}, enquanto ele vale")
def step_use_while_valid(context, chamada):
    """A chamada (listar as compras pendentes no exportador, ou importar pelo debug import) com o peer token
    verdadeiro ainda válido é atendida com 200 (controle): ela sai antes de o token vencer. Num Esquema com
    vários exemplos, o token e a chamada de controle dos exemplos seguintes são feitos já no primeiro, para que
    as esperas da validade corram juntas (support/token_ahead.py).

    Exemplo: Quando o importador usa esse peer token para listar as compras pendentes no exportador, enquanto ele vale
    """
    s = context.session
    context.world.token_call = chamada
    if token_ahead.control_done(context, context.world.peer_token, chamada):  # sent ahead, while it was valid
        return
    token_misuse.served_while_valid(s, context.world.peer_token,
                                    token_misuse.expiry_call(s, chamada, context.world.peer_token), chamada)


@ahead.after_background
def _tokens_made_ahead(context):
    """Once a scenario's Background has made the environment, the tokens and control calls of this feature's
    later expiring scenarios are made (support/token_ahead.py): their validity runs while the scenarios
    between run."""
    token_ahead.prepare(context, step_genuine_peer_token, step_use_while_valid)


@then('depois que o peer token vence, a mesma chamada é recusada com {status:d} "{erro}"')
@token_ahead.waits_for_token_expiry
def step_refused_after_expiry(context, status, erro):
    """Repete a chamada até ser recusada: nunca antes do exp do token, e no máximo 65 s depois dele
    (support.peer_tokens.refused_once_expired); a recusa tem o status e o erro exatos.

    Exemplo: E depois que o peer token vence, a mesma chamada é recusada com 401 "Invalid Control Plane token"
    """
    s, token, chamada = context.session, context.world.peer_token, context.world.token_call
    refusal = peer_tokens.refused_once_expired(token, token_misuse.expiry_call(s, chamada, token), chamada)
    security.expect_refusal(s, refusal, status, erro, f"{chamada} com o peer token vencido")


# --- the decision callback goes only to the CP's gateway (support/callback_guard.py) ---------------------
@given("que a suíte escuta numa URL sua, que o exportador alcança e que não é o gatewayUrl do importador no CP")
def step_suite_listens(context):
    """Abre um servidor HTTP da suíte no endereço em que o exportador alcança esta máquina (entrada
    wl.exporter.callback.suite_host do mapa; desconhecida, o cenário é pulado: um servidor que o exportador
    não alcança não receberia nada de qualquer jeito), confere que ele registra um pedido de controle da
    própria suíte, e que a URL dele não é o gatewayUrl que o CP guarda para o importador.

    Exemplo: E que a suíte escuta numa URL sua, que o exportador alcança e que não é o gatewayUrl do importador no CP
    """
    s = context.session
    listener = callback_guard.open_listener(s)
    context.add_cleanup(listener.stop)
    context.world.callback_listener = listener
    gateway = callback_guard.importer_gateway(s)
    assert_that(gateway.rstrip("/"), is_not(equal_to(listener.url)), "o gatewayUrl do importador é a URL da suíte")


@when("alguém compra no exportador como o importador, citando essa compra e pedindo o aviso na URL da suíte")
def step_buy_with_callback_url(context):
    """POST /api/v2/trader/purchase no exportador com o peer token do importador (mTLS), 1 unidade da oferta de
    origem da compra do cenário, o id do trade dela no importador e a URL da suíte no campo de URL de aviso
    (nomes dos campos pelo mapa: wl.exporter.purchase.request.*); guarda o id do trade no exportador.

    Precisa antes: E que a suíte escuta numa URL sua, que o exportador alcança e que não é o gatewayUrl do importador no CP
    Exemplo: Quando alguém compra no exportador como o importador, citando essa compra e pedindo o aviso na URL da suíte
    """
    w = context.world
    listener = w.need("callback_listener", "E que a suíte escuta numa URL sua, que o exportador alcança e que não "
                                           "é o gatewayUrl do importador no CP")
    purchase = w.need("purchases", "Dado que o comprador fez 1 compra que aguarda aprovação")[-1]
    w.direct_trade_id = callback_guard.buy_directly(context.session, purchase, listener.url)


@when("o exportador aprova essa compra feita direto nele")
def step_approve_direct(context):
    """POST /api/v2/trader/purchases/{id}/approve no exportador para o trade da compra direta.

    Precisa antes: Quando alguém compra no exportador como o importador, citando essa compra e pedindo o aviso na URL da suíte
    Exemplo: E o exportador aprova essa compra feita direto nele
    """
    trade = context.world.need("direct_trade_id", "Quando alguém compra no exportador como o importador, citando "
                                                  "essa compra e pedindo o aviso na URL da suíte")
    callback_guard.approve(context.session, trade)


@then("o exportador registra que o importador respondeu ao aviso da decisão")
def step_callback_answered(context):
    """Espera (XPORY_TELEMETRY_TIMEOUT_SECONDS) até o exportador registrar que o importador respondeu ao aviso
    da decisão do trade (wl.exporter.callback.delivered em wl.exporter.cross_wl_trade.callback_status), ou até
    a URL da suíte receber um pedido: o prazo termina na prova de que o aviso foi entregue, nunca num sleep.

    Precisa antes: E o exportador aprova essa compra feita direto nele
    Exemplo: Então o exportador registra que o importador respondeu ao aviso da decisão
    """
    w = context.world
    listener = w.need("callback_listener", "E que a suíte escuta numa URL sua, que o exportador alcança e que não "
                                           "é o gatewayUrl do importador no CP")
    outcome = callback_guard.wait_callback(context.session, w.need("direct_trade_id", "E o exportador aprova essa "
                                                                   "compra feita direto nele"), listener)
    w.callback_outcome = outcome
    assert_that(outcome.listener_calls, empty(), "o exportador postou o aviso da decisão na URL do corpo da compra")
    assert_that(outcome.delivered, equal_to(True), f"o exportador registrou {outcome.recorded!r}")


@then("nenhum pedido chegou à URL da suíte")
def step_listener_untouched(context):
    """Nem até o exportador registrar a entrega do aviso, nem agora, a URL da suíte recebeu pedido algum.

    Precisa antes: Então o exportador registra que o importador respondeu ao aviso da decisão
    Exemplo: E nenhum pedido chegou à URL da suíte
    """
    w = context.world
    outcome = w.need("callback_outcome", "Então o exportador registra que o importador respondeu ao aviso da decisão")
    listener = w.need("callback_listener", "E que a suíte escuta numa URL sua, que o exportador alcança e que não "
                                           "é o gatewayUrl do importador no CP")
    assert_that(outcome.delivered, equal_to(True), "o exportador não registrou a entrega do aviso")
    assert_that(listener.calls, empty(), "a URL da suíte, pedida no corpo da compra, recebeu pedidos do exportador")
