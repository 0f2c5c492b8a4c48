"""Steps of the security feature: the peer-token endpoint's mTLS, the admin API's bearer and role checks,
peer tokens the CP never issued at the importer, and the purchase scope at the exporter."""
from behave import given, then, when
from hamcrest import assert_that, empty, equal_to, is_not, none

from support import import_evidence, mtls_probe, peer_tokens, security, token_misuse
from support.expect import expect
from support.reset.phases import PHASE, at_least

CERTIFICATES = {"nenhum certificado": mtls_probe.NO_CERTIFICATE,
                "um certificado de outra CA": mtls_probe.OTHER_CA}
CREDENTIALS = {"nenhum token": "sem token",
               "um token forjado, assinado com outro segredo": "token forjado"}
FORGERIES = {"assinado por outra chave, com o kid verdadeiro do CP": "assinado por outra chave",
             "vencido há uma hora, assinado pela suíte": "vencido",
             "com a validade adulterada depois da assinatura do CP": "adulterado"}


def _pick(table: dict, phrase: str, what: str) -> str:
    if phrase not in table:
        raise ValueError(f"{what} desconhecido: {phrase!r}; use um destes: {', '.join(table)}")
    return table[phrase]


@given("que o exportador e o importador estão cadastrados no CP com o relacionamento ativo")
def step_wls_related(context):
    """Reset até os WLs com ids fixos, visibilidade, relacionamentos ativos e contas trader (passos 1 a 3).

    Exemplo: Dado que o exportador e o importador estão cadastrados no CP com o relacionamento ativo
    """
    at_least(context.session, PHASE["visibilidade, relacionamentos e contas trader"])


# --- mTLS of the peer-token endpoint ------------------------------------------------------------------
@when("alguém pede ao CP um peer token do importador para o exportador apresentando {certificado}")
def step_peer_token_with(context, certificado):
    """POST /wls/{importador}/peer-token em XPORY_CP_URL sem o certificado cliente do WL (nenhum, ou um de outra CA).

    Exemplo: Quando alguém pede ao CP um peer token do importador para o exportador apresentando nenhum certificado
    """
    presented = _pick(CERTIFICATES, certificado, "certificado")
    context.world.mtls_attempt = mtls_probe.peer_token_attempt(context.session, presented)


@then("o CP interrompe o handshake TLS, sem dar resposta HTTP")
def step_tls_refused(context):
    """A conexão (em TLS 1.2) falhou no handshake: nenhuma resposta HTTP; o servidor foi verificado com a CA do perfil.

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
@when("alguém consulta os trades pendentes na API admin com {credencial}")
def step_admin_with(context, credencial):
    """GET /admin/api/trades/pending sem token, ou com um token forjado (HS256 com um segredo inventado).

    Exemplo: Quando alguém consulta os trades pendentes na API admin com nenhum token
    """
    credential = _pick(CREDENTIALS, credencial, "credencial")
    context.world.response = security.admin_call(context.session, credential)


@then('a resposta é {status:d} com o erro "{erro}"')
def step_refused_with(context, status, erro):
    """A última resposta tem o status e o corpo JSON {"error": "<erro>"} exatos.

    Exemplo: Então a resposta é 401 com o erro "Missing bearer token"
    """
    security.expect_refusal(context.session, context.world.response, status, erro, "resposta")


@then("com o token do MASTER a mesma consulta é atendida")
def step_master_is_served(context):
    """Controle: GET /admin/api/trades/pending com o token do MASTER (XPORY_ADMIN_EMAIL) responde 200.

    Exemplo: E com o token do MASTER a mesma consulta é atendida
    """
    s = context.session
    expect(security.admin_call(s, "token do MASTER"), 200, s, "trades pendentes com o token do MASTER")


@when("o usuário TRADER entra na API admin e lista os usuários do CP")
def step_trader_lists_users(context):
    """Login com XPORY_TRADER_EMAIL/XPORY_TRADER_PASSWORD e GET /admin/api/users.

    Exemplo: Quando o usuário TRADER entra na API admin e lista os usuários do CP
    """
    context.world.response = security.trader_call(context.session, "/users")


@then("o mesmo TRADER consulta os trades pendentes normalmente")
def step_trader_sees_pending(context):
    """Controle: o TRADER logado recebe 200 em GET /admin/api/trades/pending (a recusa anterior é do papel).

    Exemplo: E o mesmo TRADER consulta os trades pendentes normalmente
    """
    s = context.session
    expect(security.trader_call(s, security.ADMIN_PROBE_PATH), 200, s, "trades pendentes como TRADER")


# --- peer tokens at the importer and the exporter ---------------------------------------------------------
@given('que o importador tem um peer token verdadeiro do CP para importar do exportador')
def step_genuine_peer_token(context):
    """Peer token importador → exportador emitido pelo CP via mTLS (escopos offers:sync e trader:purchase).

    Exemplo: Dado que o importador tem um peer token verdadeiro do CP para importar do exportador
    """
    s = context.session
    context.world.peer_token = security.real_peer_token(s, ("offers:sync", "trader:purchase"))


@given('que o importador tem um peer token verdadeiro do CP só com o escopo "{escopo}"')
def step_peer_token_only(context, escopo):
    """Peer token importador → exportador emitido pelo CP via mTLS com um único escopo.

    Exemplo: Dado que o importador tem um peer token verdadeiro do CP só com o escopo "offers:sync"
    """
    context.world.peer_token = security.real_peer_token(context.session, (escopo,))


@when("alguém chama o debug import do importador com esse peer token {token}")
def step_debug_import_forged(context, token):
    """POST /api/v2/control-plane/debug/import com o peer token verdadeiro forjado pela
    suíte (outra chave, vencido ou adulterado).

    Exemplo: Quando alguém chama o debug import do importador com esse peer token vencido há uma hora, assinado pela suíte
    """
    s = context.session
    forged = security.forge_peer_token(s, context.world.peer_token, _pick(FORGERIES, token, "token"))
    context.world.forged_token = forged.token
    context.world.response = security.debug_import_with(s, forged.token)


@when("o importador usa esse peer token para {acao} no exportador")
def step_purchase_call(context, acao):
    """GET /api/v2/trader/purchases/pending ou POST /api/v2/trader/purchase/preflight com o peer token.

    Exemplo: Quando o importador usa esse peer token para listar as compras pendentes no exportador
    """
    if acao not in security.PURCHASE_ACTIONS:
        raise ValueError(f"ação desconhecida: {acao!r}; use uma destas: {', '.join(security.PURCHASE_ACTIONS)}")
    context.world.response = security.exporter_purchase_call(context.session, acao, context.world.peer_token)


@then("o exportador recusa com 403, sem dados de compra")
def step_exporter_forbids(context):
    """403 e um corpo de erro: nem lista de compras nem reserva (holdId).

    Exemplo: Então o exportador recusa com 403, sem dados de compra
    """
    s, response = context.session, context.world.response
    security.expect_refusal(s, response, 403, None, "compra com peer token sem trader:purchase")
    assert_that(security.purchase_data_in(s, response), empty(), "o exportador devolveu dados de compra")
    assert_that(security.error_of(s, response), is_not(none()), "corpo de erro")


# --- genuine CP tokens where they do not belong (support/token_misuse.py) --------------------------------
@given("que alguém tem {credencial}")
def step_someone_holds(context, credencial):
    """Um token verdadeiro, assinado pelo CP ou pela API admin, de um tipo ou de um dono que não serve aqui:
    o token de WL do importador (POST /wls/{id}/token) com um escopo, o JWT de admin do MASTER, ou o peer
    token que o exportador pede ao CP para chamar o importador.

    Exemplo: Dado que alguém tem o token de admin do MASTER
    """
    context.world.peer_token = token_misuse.credential(context.session, credencial)


@when("alguém usa esse token para {acao} no exportador")
def step_someone_uses_at_exporter(context, acao):
    """GET /api/v2/trader/purchases/pending ou POST /api/v2/trader/purchase/preflight (em nome do importador) com o token.

    Exemplo: Quando alguém usa esse token para listar as compras pendentes no exportador
    """
    if acao not in security.PURCHASE_ACTIONS:
        raise ValueError(f"ação desconhecida: {acao!r}; use uma destas: {', '.join(security.PURCHASE_ACTIONS)}")
    context.world.response = security.exporter_purchase_call(context.session, acao, context.world.peer_token)


@then('o exportador recusa com {status:d} "{erro}", sem dados de compra')
def step_exporter_refuses_with(context, status, erro):
    """O status e o erro exatos, e nem lista de compras nem reserva (holdId) no corpo.

    Exemplo: Então o exportador recusa com 401 "Invalid Control Plane token", sem dados de compra
    """
    s, response = context.session, context.world.response
    security.expect_refusal(s, response, status, erro, "compra com um token que não serve aqui")
    assert_that(security.purchase_data_in(s, response), empty(), "o exportador devolveu dados de compra")


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


@when("alguém chama o debug import do importador com esse token")
def step_debug_import_with_token(context):
    """POST /api/v2/control-plane/debug/import com o token do cenário.

    Exemplo: Quando alguém chama o debug import do importador com esse token
    """
    context.world.response = security.debug_import_with(context.session, context.world.peer_token)


@then("o debug import é recusado com 403, por falta de escopo")
def step_import_forbidden(context):
    """403: o token é do tipo certo, do WL certo e válido, só lhe falta o escopo offers:sync.

    Exemplo: Então o debug import é recusado com 403, por falta de escopo
    """
    security.expect_refusal(context.session, context.world.response, 403, None, "debug import sem offers:sync")


@then("nenhuma oferta importada mudou: o importador não importou nada")
def step_no_import_happened(context):
    """Cada linha de imported_offer está como antes da chamada (uma importação as teria mudado).

    Exemplo: E nenhuma oferta importada mudou: o importador não importou nada
    """
    assert_that(import_evidence.changes(context.session, context.world.import_evidence), empty(),
                "o importador importou com um token que devia recusar")


@when("o importador usa esse peer token para {chamada}, enquanto ele vale")
def step_use_while_valid(context, chamada):
    """A chamada (listar as compras pendentes no exportador, ou importar pelo debug import) com o peer token
    verdadeiro ainda válido é atendida com 200 (controle): ela sai antes de o token vencer.

    Exemplo: Quando o importador usa esse peer token para listar as compras pendentes no exportador, enquanto ele vale
    """
    s = context.session
    token_misuse.expiry_call(s, chamada, context.world.peer_token)  # an unknown phrase fails here
    context.world.token_call = chamada
    token_misuse.served_while_valid(s, context.world.peer_token,
                                    token_misuse.expiry_call(s, chamada, context.world.peer_token), chamada)


@then('depois que o peer token vence, a mesma chamada é recusada com {status:d} "{erro}"')
def step_refused_after_expiry(context, status, erro):
    """Repete a chamada até ser recusada: nunca antes do exp do token, e no máximo 30 s depois dele
    (support.peer_tokens.refused_once_expired); a recusa tem o status e o erro exatos.

    Exemplo: E depois que o peer token vence, a mesma chamada é recusada com 401 "Invalid Control Plane token"
    """
    s, token, chamada = context.session, context.world.peer_token, context.world.token_call
    refusal = peer_tokens.refused_once_expired(token, token_misuse.expiry_call(s, chamada, token), chamada)
    security.expect_refusal(s, refusal, status, erro, f"{chamada} com o peer token vencido")
