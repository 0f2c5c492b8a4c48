"""Steps of the reset runbook (steps 0–6): stack up, CP and WL cleanup, WLs, policies,
relationships, trader accounts, snapshots, export_policy, peer token and import."""

from behave import given, step, then, when
from hamcrest import (
    all_of,
    assert_that,
    empty,
    equal_to,
    greater_than,
    greater_than_or_equal_to,
    has_entries,
    is_not,
    less_than_or_equal_to,
    not_none,
)

from support import queries
from support import vocabulary as _vocabulary  # noqa: F401  (registers the typed parameters)
from support.expect import expect
from support.reset import phases, runbook_steps
from support.reset.phases import PHASE, reach
from support.reset.previous_run import leave_previous_run_traces
from support.reset.tables import MISSED_CP_TABLES


def _session(context):
    return context.session


# --- stack --------------------------------------------------------------------------------------
@given("que a stack XporY está no ar")
def step_stack_up(context):
    """A stack responde: o JWKS do CP via mTLS e os dois WLs.

    Contexto: o reset passo a passo (@reset): cada cenário leva a stack ao passo do runbook que confere
    Exemplo: Dado que a stack XporY está no ar
    """
    s = _session(context)
    expect(s.cp_peer.jwks(), 200, s, "JWKS do CP (mTLS)")
    assert_that(s.exporter.get("/").status_code, is_not(equal_to(502)), "WL exportador")
    assert_that(s.importer.get("/").status_code, is_not(equal_to(502)), "WL importador")


# --- step 1: CP ---------------------------------------------------------------------------------
@given("que o CP guarda white labels, trades, notificações e snapshots de uma execução anterior")
def step_cp_has_previous_run(context):
    """Deixa no CP dados de uma "execução anterior" (WLs, snapshots, um trade e suas notificações).

    Exemplo: Dado que o CP guarda white labels, trades, notificações e snapshots de uma execução anterior
    """
    s = _session(context)
    leave_previous_run_traces(s)
    counts = queries.cp_row_counts(s)  # the tables this CP has (cp_trades only from a later CP migration)
    for table in MISSED_CP_TABLES + ("cp_white_labels", "cp_relationships", "cp_users"):
        if table in counts:
            assert_that(counts[table], greater_than(0), f"{table} deveria ter dados antes da limpeza")
    context.world.counts_before = counts


def _clean_cp(context):
    """Runbook passo 1: TRUNCATE das 15 tabelas cp_* que o CP tem (diz quais faltam) e restart do CP.
    """
    s = _session(context)
    context.world.cp_cleaned_at = queries.database_now(s.db.cp)
    runbook_steps.clean_cp(s)
    runbook_steps.restart_cp(s)
    phases.mark(s, PHASE["CP limpo e reiniciado"])


@then("nenhuma das 15 tabelas cp_* guarda dados da execução anterior")
def step_no_stale_cp_rows(context):
    """Todas as tabelas cp_* estão vazias, menos cp_users, que só tem usuários criados após a limpeza.

    Exemplo: Então nenhuma das 15 tabelas cp_* guarda dados da execução anterior
    """
    s = _session(context)
    counts = queries.cp_row_counts(s)  # every cp_* table this CP has
    leftovers = {t: n for t, n in counts.items() if t != "cp_users" and n > 0}
    assert_that(leftovers, equal_to({}), "tabelas cp_* com linhas depois da limpeza")
    cleaned_at = context.world.cp_cleaned_at
    assert_that(queries.users_created_before(s, cleaned_at), empty(), "usuários anteriores à limpeza")


@then("os usuários de bootstrap MASTER, TRADER e MANAGER voltaram e entram com a senha padrão")
def step_bootstrap_users(context):
    """cp_users tem um usuário ativo de cada papel, e MASTER e TRADER entram com as senhas do perfil.

    Exemplo: E os usuários de bootstrap MASTER, TRADER e MANAGER voltaram e entram com a senha padrão
    """
    s = _session(context)
    users = queries.users_by_role(s)
    assert_that(sorted(users), equal_to(["MANAGER", "MASTER", "TRADER"]))
    for role, email, password in (("MASTER", s.config.admin_email, s.config.admin_password),
                                  ("TRADER", s.config.trader_email, s.config.trader_password)):
        assert_that(users[role]["email"], equal_to(email))
        body = expect(s.cp_admin.login(email, password), 200, s, f"login {role}")
        assert_that(body, has_entries(token=not_none(), user=has_entries(role=role, email=email)))


# --- step 2: WLs --------------------------------------------------------------------------------
@given("que os WLs guardam caches e ofertas importadas de uma execução anterior")
def step_wls_have_previous_run(context):
    """Leva o ambiente até as ofertas importadas e confere que há caches e importações nos WLs.

    Exemplo: Dado que os WLs guardam caches e ofertas importadas de uma execução anterior
    """
    s = _session(context)
    reach(s, PHASE["ofertas importadas"])
    counts = queries.wl_row_counts(s)
    assert_that(counts["wl-01"]["cp_relationship_cache"], greater_than(0))
    assert_that(counts["wl-03"]["imported_offer"], greater_than(0))
    context.world.broad_total_before = queries.exporter_total(s, broad=True)
    context.world.buyer_rows_before = queries.buyer_rows(s)


def _clean_wls(context):
    """Runbook passo 2: TRUNCATE dos caches, trades e importações no wl-01 e no wl-03.
    """
    s = _session(context)
    context.world.wls_cleaned_at = queries.database_now(s.db.exporter)
    runbook_steps.clean_wls(s)
    phases.mark(s, None)


@then("as tabelas de cache, de trades e de importação dos dois WLs estão vazias")
def step_wl_tables_empty(context):
    """Trades, índice de exportação e importações vazios; caches só com o que foi puxado do CP depois da limpeza.

    Exemplo: Então as tabelas de cache, de trades e de importação dos dois WLs estão vazias
    """
    s = _session(context)
    counts = queries.wl_row_counts(s)
    for wl, tables in counts.items():
        for table, count in tables.items():
            if table in ("cp_policy_cache", "cp_relationship_cache"):
                continue  # the WL may pull fresh copies from the CP at any moment
            assert_that(count, equal_to(0), f"{wl}.{table} depois da limpeza")
    stale = queries.stale_cache_rows(s, context.world.wls_cleaned_at)
    assert_that(stale, equal_to({}), "linhas de cache anteriores à limpeza")


@then("o catálogo de ofertas do exportador e as contas compradoras do importador continuam lá")
def step_catalog_and_accounts_kept(context):
    """O exportador exporta o mesmo total amplo de antes e as contas compradoras não mudaram.

    Exemplo: E o catálogo de ofertas do exportador e as contas compradoras do importador continuam lá
    """
    s = _session(context)
    total = queries.exporter_total(s, broad=True)
    assert_that(total, equal_to(context.world.broad_total_before))
    assert_that(queries.buyer_rows(s), equal_to(context.world.buyer_rows_before))


# --- step 3: WLs ----------------------------------------------------------------------------------
@given("que o CP acabou de ser limpo e reiniciado")
def step_cp_just_cleaned(context):
    """Runbook passo 1 agora: limpa o CP e o reinicia.

    Exemplo: Dado que o CP acabou de ser limpo e reiniciado
    """
    _clean_cp(context)
    assert_that(queries.cp_row_counts(_session(context), ("cp_white_labels",)), equal_to({"cp_white_labels": 0}))


def _create_wls(context):
    """Runbook passo 3: POST /wls com os ids fixos; se o CP descartar o id, renomeia com PUT /wls/{id}.
    """
    s = _session(context)
    context.world.recreated = [runbook_steps.recreate_wl(s, plan) for plan in runbook_steps.wl_plans(s)]
    phases.mark(s, PHASE["WLs recriados com ids fixos"])


@then('o CP lista exatamente os WLs "wl-exporter" e "wl-importer", com os ids fixos do perfil')
def step_wls_listed(context):
    """GET /wls devolve só os dois WLs, cada um com o id fixo do perfil.

    Exemplo: Então o CP lista exatamente os WLs "wl-exporter" e "wl-importer", com os ids fixos do perfil
    """
    s = _session(context)
    body = expect(s.cp_admin.list_wls(), 200, s, "listar WLs")
    listed = {item["name"]: item["id"] for item in body["items"]}
    assert_that(listed, equal_to({"wl-exporter": s.config.exporter_wl_id,
                                  "wl-importer": s.config.importer_wl_id}))
    assert_that(body["count"], equal_to(2))


@then("nenhum id gerado pelo CP no cadastro sobrou na lista de WLs")
def step_no_generated_ids(context):
    """Os ids que o CP gerou no POST (quando descartou o id enviado) não existem mais.

    Exemplo: E nenhum id gerado pelo CP no cadastro sobrou na lista de WLs
    """
    s = _session(context)
    for item in context.world.recreated:
        if item.renamed:
            assert_that(s.cp_admin.get_wl(item.created_id).status_code, equal_to(404),
                        f"o id gerado {item.created_id} de {item.name}")
        assert_that(expect(s.cp_admin.get_wl(item.final_id), 200, s, f"WL {item.name}"),
                    has_entries(id=item.final_id, name=item.name))


# --- step 3: policies, relationships, trader accounts ----------------------------------------------
def _visibility(context):
    """PUT /wls/{id}/policies de cada WL com visibilityWls = [o outro WL].
    """
    s = _session(context)
    exporter, importer = runbook_steps.wl_plans(s)
    runbook_steps.set_visibility(s, exporter, importer.wl_id)
    runbook_steps.set_visibility(s, importer, exporter.wl_id)


def _relationships(context):
    """PUT /relationships/{src}/{dst} nos dois sentidos: active, fxRate 1, limitAmount 100000.
    """
    s = _session(context)
    runbook_steps.activate_relationship(s, s.config.exporter_wl_id, s.config.importer_wl_id)
    runbook_steps.activate_relationship(s, s.config.importer_wl_id, s.config.exporter_wl_id)


def _traders(context):
    """POST /wls/{id}/trader de cada WL com nome, e-mail e telefone de contato.
    """
    s = _session(context)
    for plan in runbook_steps.wl_plans(s):
        runbook_steps.create_trader(s, plan)
    phases.mark(s, PHASE["visibilidade, relacionamentos e contas trader"])


@then("a política assinada de cada WL enxerga o outro WL")
def step_policies_visible(context):
    """GET /wls/{id}/policies: visibilidade ligada, visibilityWls com o parceiro e assinatura HMAC-SHA256.

    Exemplo: Então a política assinada de cada WL enxerga o outro WL
    """
    s = _session(context)
    exporter, importer = runbook_steps.wl_plans(s)
    for plan, partner in ((exporter, importer), (importer, exporter)):
        body = expect(s.cp_admin.get_policies(plan.wl_id), 200, s, f"política do {plan.name}")
        assert_that(body, has_entries(visibilityEnabled=True, visibilityWls=[partner.wl_id],
                                      importEnabled=plan.import_enabled, exportEnabled=plan.export_enabled,
                                      signature=has_entries(algorithm="HMAC-SHA256", value=not_none())))


@step("os dois relacionamentos estão ativos, com câmbio 1 e limite 100000")
def step_relationships_active(context):
    """GET /relationships/{src}/{dst} nos dois sentidos: status active, fxRate 1, limitAmount 100000.

    Exemplo: E os dois relacionamentos estão ativos, com câmbio 1 e limite 100000
    """
    s = _session(context)
    a, b = s.config.exporter_wl_id, s.config.importer_wl_id
    for src, dst in ((a, b), (b, a)):
        body = expect(s.cp_admin.get_relationship(src, dst), 200, s, f"relacionamento {src} → {dst}")
        assert_that(body, has_entries(sourceId=src, targetId=dst, status="active"))
        assert_that(float(body["fxRate"]), equal_to(1.0))
        assert_that(float(body["limitAmount"]), equal_to(100000.0))


@when("eu atualizo no CP o relacionamento {sentido:Sentido}:")
def step_update_relationship(context, sentido):
    """PUT /relationships/{src}/{dst} com os campos da tabela (| campo | valor |: status, fxRate, limitAmount,
    approvalMode, manualApprovalAboveAmount, manualApprovalAboveQty, manualApprovalOnFirstTrade,
    manualApprovalOnImbalance, notes); a resposta fica para o Então (`a resposta é 200`, ou 422 com um valor
    inválido). O ambiente sai da sequência do reset: o próximo cenário que precisa dele refaz o reset.

    Exemplo: Quando eu atualizo no CP o relacionamento exportador → importador:
    """
    from support import relationship_table
    from support.policy_table import rows_of

    s = _session(context)
    if context.table is None:
        raise AssertionError("este passo leva uma tabela | campo | valor | com os campos do relacionamento")
    src, dst = relationship_table.ids(s.config, sentido)
    payload = dict(relationship_table.body(rows_of(context.table)), updatedBy="bootstrap", updatedSource="runbook")
    phases.mark(s, None)  # the relationship no longer is the runbook's
    context.world.response = s.cp_admin.put_relationship(src, dst, payload)


@then("o relacionamento {sentido:Sentido} está com:")
def step_relationship_has(context, sentido):
    """GET /relationships/{src}/{dst}: cada campo da tabela com o valor dado (números comparados como números,
    textos sem diferença de maiúsculas).

    Exemplo: Então o relacionamento importador → exportador está com:
    """
    from support import relationship_table
    from support.policy_table import rows_of

    s = _session(context)
    src, dst = relationship_table.ids(s.config, sentido)
    body = expect(s.cp_admin.get_relationship(src, dst), 200, s, f"relacionamento {src} → {dst}")
    assert_that(relationship_table.differences(body, rows_of(context.table)), empty())


@then("cada WL tem sua conta trader ativa, com e-mail e telefone de contato")
def step_traders_active(context):
    """GET /wls/{id}/trader: nome, status active, e-mail e telefone do runbook.

    Exemplo: E cada WL tem sua conta trader ativa, com e-mail e telefone de contato
    """
    s = _session(context)
    for plan in runbook_steps.wl_plans(s):
        body = expect(s.cp_admin.get_trader(plan.wl_id), 200, s, f"conta trader do {plan.name}")
        assert_that(body, has_entries(name=plan.trader_name, status="active",
                                      contactEmail=plan.contact_email, contactPhone=plan.trader_phone))


# --- step 4: snapshots ------------------------------------------------------------------------------
def _sync_snapshots(context):
    """Runbook passo 4: POST /wls/{exportador}/offer-categories/sync e /entities/sync.
    """
    s = _session(context)
    categories, entities = runbook_steps.sync_snapshots(s)
    for answer in (categories, entities):
        assert_that(answer, has_entries(ok=True, wlId=s.config.exporter_wl_id, count=greater_than(0)))
    phases.mark(s, PHASE["snapshots sincronizados"])


@then("o CP lista {snapshot:Snapshot} do exportador, cada uma com sua contagem de ofertas ativas")
def step_snapshot_listed(context, snapshot):
    """GET /wls/{exportador}/offer-categories (itens com categoryId, name, activeCount ≥ 0) ou /entities
    (entityId, name, activeOffersCount ≥ 0), não vazio, de exporterWlId = exportador.

    Exemplo: Então o CP lista as categorias do exportador, cada uma com sua contagem de ofertas ativas
    Exemplo: E o CP lista as entidades do exportador, cada uma com sua contagem de ofertas ativas
    """
    s = _session(context)
    if snapshot == "categories":
        items = context.world.categories = queries.category_snapshot(s)
        shape = {"categoryId": not_none(), "activeCount": greater_than_or_equal_to(0)}
    else:
        items = context.world.entities = queries.entity_snapshot(s)
        shape = {"entityId": not_none(), "activeOffersCount": greater_than_or_equal_to(0)}
    assert_that(items, is_not(empty()))
    for item in items:
        assert_that(item, has_entries(exporterWlId=s.config.exporter_wl_id, name=not_none(), **shape))


@then('a categoria "{category}" do exportador é "{name}" e tem ofertas ativas')
def step_category_named(context, category, name):
    """A categoria do snapshot tem o nome dado (com ou sem acento) e activeCount > 0.

    Exemplo: E a categoria "15" do exportador é "Alimentação" e tem ofertas ativas
    """
    from support.text import same_words

    found = [c for c in context.world.categories if c["categoryId"] == category]
    assert_that(found, is_not(empty()), f"categoria {category} no snapshot")
    assert_that(same_words(found[0]["name"], name), equal_to(True), f"nome {found[0]['name']!r}")
    assert_that(found[0]["activeCount"], greater_than(0))


@then("a soma das ofertas ativas das categorias é o total que o exportador exporta sem export_policy")
def step_sum_matches_export(context):
    """Σ activeCount das categorias = total do exportador para o importador sem export_policy.

    Exemplo: E a soma das ofertas ativas das categorias é o total que o exportador exporta sem export_policy
    """
    s = _session(context)
    # the total asked with no importer: no relationship's export_policy applies, whatever the exporter's cache
    # still holds from an earlier scenario (on staging the cache changes only at the exporter's next pull)
    total = queries.exporter_total(s, broad=True)
    assert_that(sum(c["activeCount"] for c in context.world.categories), equal_to(total))


# --- step 5: export_policy --------------------------------------------------------------------------
# --- a scenario that starts at one phase of the reset ------------------------------------------------
def _after_wls(context, s) -> None:
    for wl_id in (s.config.exporter_wl_id, s.config.importer_wl_id):
        expect(s.cp_admin.get_wl(wl_id), 200, s, f"WL {wl_id}")


def _after_snapshots(context, s) -> None:
    context.world.categories = queries.category_snapshot(s)
    context.world.entities = queries.entity_snapshot(s)
    assert_that(context.world.categories, is_not(empty()))


def _after_broad_policy(context, s) -> None:
    _after_snapshots(context, s)
    context.world.policy = runbook_steps.BROAD_POLICY
    context.world.exporter_total = queries.exporter_total(s)
    assert_that(context.world.exporter_total, greater_than(0))


AFTER_PHASE = {"WLs recriados com ids fixos": _after_wls,
               "visibilidade, relacionamentos e contas trader": lambda context, s: step_relationships_active(context),
               "snapshots sincronizados": _after_snapshots,
               "export_policy ampla aplicada no exportador": _after_broad_policy}


@given("que {fase:FaseDoReset}")
def step_reset_phase(context, fase):
    """Leva o reset exatamente até essa fase (continuando de onde a execução parou, ou recomeçando do passo 1
    se ela já passou dela), para o cenário conferir o passo seguinte do runbook; depois confere a fase: os WLs
    existem (GET /wls/{id}); os dois relacionamentos ativos com câmbio 1 e limite 100000; os snapshots lidos do
    CP (não vazios); ou a política ampla em vigor e o total exportado maior que zero.

    Contexto: o passo seguinte do runbook (@reset), a partir de uma fase do reset
    Exemplo: Dado que os snapshots do exportador estão sincronizados no CP
    Exemplo: Dado que os relacionamentos entre os WLs estão ativos
    """
    s = _session(context)
    reach(s, PHASE[fase])
    AFTER_PHASE[fase](context, s)


# --- step 6: peer token and import ------------------------------------------------------------------
@when("o importador pede ao CP um peer token para o exportador, apresentando o certificado cliente")
def step_peer_token(context):
    """Runbook passo 6: POST /wls/{importador}/peer-token via mTLS, escopos offers:sync e trader:purchase.

    Exemplo: Quando o importador pede ao CP um peer token para o exportador, apresentando o certificado cliente
    """
    s = _session(context)
    context.world.requested_scopes = ["offers:sync", "trader:purchase"]
    context.world.response = s.cp_peer.peer_token(s.config.importer_wl_id, s.config.exporter_wl_id,
                                                  context.world.requested_scopes)


@then("o CP emite um token RS256 cuja chave está publicada no JWKS")
def step_token_rs256(context):
    """201 com token; o header tem alg RS256 e um kid presente no JWKS; a assinatura confere.

    Exemplo: Então o CP emite um token RS256 cuja chave está publicada no JWKS
    """
    from support.tokens import verify_with_jwks

    s = _session(context)
    body = expect(context.world.response, 201, s, "peer token")
    assert_that(body, has_entries(token=not_none(), expiresInSeconds=less_than_or_equal_to(300)))
    jwks = expect(s.cp_peer.jwks(), 200, s, "JWKS")
    verified = verify_with_jwks(body["token"], jwks, audience=s.config.exporter_wl_id)
    assert_that(verified.header, has_entries(alg="RS256", kid=not_none()))
    context.world.peer_token = body["token"]
    context.world.peer_claims = verified.claims


@then("o token vale para o exportador, em nome do importador, com os escopos pedidos, por no máximo 300 segundos")
def step_token_claims(context):
    """Claims: sub = aud = exportador, wlId = importador, targetWlId = exportador, escopos, exp − iat ≤ 300.

    Exemplo: E o token vale para o exportador, em nome do importador, com os escopos pedidos, por no máximo 300 segundos
    """
    s = _session(context)
    claims = context.world.peer_claims
    assert_that(claims, has_entries(iss="xpory-control-plane", sub=s.config.exporter_wl_id,
                                    aud=s.config.exporter_wl_id, wlId=s.config.importer_wl_id,
                                    targetWlId=s.config.exporter_wl_id, jti=not_none()))
    assert_that(sorted(claims["scopes"]), equal_to(sorted(context.world.requested_scopes)))
    assert_that(claims["exp"] - claims["iat"], all_of(greater_than(0), less_than_or_equal_to(300)))


def _debug_import(context):
    """Runbook passo 6: peer token novo via mTLS e POST /api/v2/control-plane/debug/import no importador.
    """
    s = _session(context)
    context.world.import_result = runbook_steps.debug_import(s, runbook_steps.peer_token(s))
    phases.mark(s, PHASE["ofertas importadas"])


@then("o importador tem pelo menos {n:d} ofertas importadas elegíveis, habilitadas e com estoque")
def step_buyable(context, n):
    """A consulta do runbook (eligible, ENABLED, offers_available > 0) devolve pelo menos N ofertas.

    Exemplo: E o importador tem pelo menos 20 ofertas importadas elegíveis, habilitadas e com estoque
    """
    offers = queries.buyable_offer_ids(_session(context), limit=n)
    assert_that(len(offers), equal_to(n), f"ofertas compráveis (precisa de {n})")


@then('nenhuma oferta importada é da categoria "{category}"')
def step_no_category(context, category):
    """Nenhuma linha de imported_offer vem de uma oferta do exportador daquela categoria.

    Exemplo: E nenhuma oferta importada é da categoria "15"
    """
    s = _session(context)
    offending = queries.imported_in_category(s, category)
    assert_that(offending, empty(), f"ofertas importadas da categoria {category}")


def _full_reset(context):
    """Passos 1 a 6 de ponta a ponta: limpeza, WLs, políticas, relacionamentos, snapshots, export_policy, import.
    """
    s = _session(context)
    phases.mark(s, None)
    reach(s, PHASE["ofertas importadas"])


RUNBOOK = {"clean_cp": _clean_cp, "clean_wls": _clean_wls, "create_wls": _create_wls, "visibility": _visibility,
           "relationships": _relationships, "traders": _traders, "sync": _sync_snapshots,
           "debug_import": _debug_import, "full_reset": _full_reset}


@when("eu {passo:PassoDoRunbook}")
def step_runbook(context, passo):
    """Um passo do reset do runbook, agora, pela API e pelo SQL do próprio runbook: passo 1, TRUNCATE das
    tabelas cp_* que o CP tem e restart do CP; passo 2, TRUNCATE dos caches, trades e importações dos WLs;
    passo 3, POST /wls com os ids fixos (PUT /wls/{id} se o CP descartar o id), visibilidade mútua
    (PUT /wls/{id}/policies), relacionamentos ativos nos dois sentidos (fxRate 1, limitAmount 100000) e as
    contas trader (nome, e-mail, telefone); passo 4, POST .../offer-categories/sync e .../entities/sync (a
    chamada precisa responder ok); passo 6, peer token novo e debug import; ou o reset completo (1 a 6).
    Guarda o relógio do banco antes das limpezas e os WLs recriados, para os Então.

    Exemplo: Quando eu limpo os dados do CP e reinicio o CP
    Exemplo: E eu ativo os relacionamentos exportador → importador e importador → exportador
    """
    RUNBOOK[passo](context)


# --- background shared by the features that start from a reset environment --------------------------
@given("que o ambiente foi resetado e as ofertas do exportador foram importadas")
def step_environment_ready(context):
    """Reset completo (passos 1 a 6) se a execução ainda não tem um; senão recoloca a export_policy ampla
    (exclui "15") e refaz o import se outro cenário a mudou. Lê os snapshots do CP.

    Contexto: compras, preflight, loja e Admin UI (@trades, @preflight, @ui): política ampla e ofertas importadas
    Exemplo: Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    """
    s = _session(context)
    context.world.categories, context.world.entities = phases.ensure_ready_environment(s)
    assert_that(queries.buyable_offer_ids(s, limit=1), is_not(empty()), "ofertas importadas compráveis")


@given("que o ambiente passou pelo reset completo do runbook")
def step_environment_reset(context):
    """Reset completo (passos 1 a 6) se a execução ainda não tem um, ou se o importador tem trades desde o
    último (uma oferta comprada fica no importador, desativada, mesmo quando a importação não a traz mais);
    lê os snapshots do CP. Não recoloca a export_policy: para cenários que definem a sua.

    Contexto: export_policy (@export_policy): cenários que aplicam a sua própria política
    Exemplo: Dado que o ambiente passou pelo reset completo do runbook
    """
    context.world.categories, context.world.entities = phases.snapshots_after_full_reset(_session(context))
    assert_that(context.world.categories, is_not(empty()), "snapshot de categorias do CP")
