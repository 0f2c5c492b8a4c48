"""Steps of the reset runbook (steps 0–6): stack up, CP and WL cleanup, WLs, policies,
relationships, trader accounts, snapshots, export_policy, peer token and import."""

from behave import given, then, when
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


@when("eu limpo os dados do CP e reinicio o CP")
def step_clean_cp(context):
    """Runbook passo 1: TRUNCATE das 15 tabelas cp_* que o CP tem (diz quais faltam) e restart do CP.

    Exemplo: Quando eu limpo os dados do CP e reinicio o CP
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


@when("eu limpo os caches, os trades e as importações dos WLs")
def step_clean_wls(context):
    """Runbook passo 2: TRUNCATE dos caches, trades e importações no wl-01 e no wl-03.

    Exemplo: Quando eu limpo os caches, os trades e as importações dos WLs
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
    step_clean_cp(context)
    assert_that(queries.cp_row_counts(_session(context), ("cp_white_labels",)), equal_to({"cp_white_labels": 0}))


@when('eu cadastro os WLs "wl-exporter" e "wl-importer" pela API admin')
def step_create_wls(context):
    """Runbook passo 3: POST /wls com os ids fixos; se o CP descartar o id, renomeia com PUT /wls/{id}.

    Exemplo: Quando eu cadastro os WLs "wl-exporter" e "wl-importer" pela API admin
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
@given("que os WLs exportador e importador existem no CP com os ids fixos")
def step_wls_exist(context):
    """Leva o reset até os WLs recriados com os ids fixos (passos 1 a 3).

    Exemplo: Dado que os WLs exportador e importador existem no CP com os ids fixos
    """
    s = _session(context)
    reach(s, PHASE["WLs recriados com ids fixos"])
    for wl_id in (s.config.exporter_wl_id, s.config.importer_wl_id):
        expect(s.cp_admin.get_wl(wl_id), 200, s, f"WL {wl_id}")


@when("eu configuro a visibilidade mútua entre os dois WLs")
def step_visibility(context):
    """PUT /wls/{id}/policies de cada WL com visibilityWls = [o outro WL].

    Exemplo: Quando eu configuro a visibilidade mútua entre os dois WLs
    """
    s = _session(context)
    exporter, importer = runbook_steps.wl_plans(s)
    runbook_steps.set_visibility(s, exporter, importer.wl_id)
    runbook_steps.set_visibility(s, importer, exporter.wl_id)


@when("eu ativo os relacionamentos exportador → importador e importador → exportador")
def step_relationships(context):
    """PUT /relationships/{src}/{dst} nos dois sentidos: active, fxRate 1, limitAmount 100000.

    Exemplo: E eu ativo os relacionamentos exportador → importador e importador → exportador
    """
    s = _session(context)
    runbook_steps.activate_relationship(s, s.config.exporter_wl_id, s.config.importer_wl_id)
    runbook_steps.activate_relationship(s, s.config.importer_wl_id, s.config.exporter_wl_id)


@when("eu cadastro as contas trader dos dois WLs")
def step_traders(context):
    """POST /wls/{id}/trader de cada WL com nome, e-mail e telefone de contato.

    Exemplo: E eu cadastro as contas trader dos dois WLs
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


@then("os dois relacionamentos estão ativos, com câmbio 1 e limite 100000")
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
@given("que os relacionamentos entre os WLs estão ativos")
def step_relationships_ready(context):
    """Leva o reset até visibilidade, relacionamentos e contas trader (passos 1 a 3).

    Exemplo: Dado que os relacionamentos entre os WLs estão ativos
    """
    reach(_session(context), PHASE["visibilidade, relacionamentos e contas trader"])
    step_relationships_active(context)


@when("eu sincronizo no CP as categorias e as entidades do exportador")
def step_sync_snapshots(context):
    """Runbook passo 4: POST /wls/{exportador}/offer-categories/sync e /entities/sync.

    Exemplo: Quando eu sincronizo no CP as categorias e as entidades do exportador
    """
    s = _session(context)
    categories, entities = runbook_steps.sync_snapshots(s)
    for answer in (categories, entities):
        assert_that(answer, has_entries(ok=True, wlId=s.config.exporter_wl_id, count=greater_than(0)))
    phases.mark(s, PHASE["snapshots sincronizados"])


@then("o CP lista as categorias do exportador, cada uma com sua contagem de ofertas ativas")
def step_categories_listed(context):
    """GET /wls/{exportador}/offer-categories: itens com categoryId, name e activeCount ≥ 0.

    Exemplo: Então o CP lista as categorias do exportador, cada uma com sua contagem de ofertas ativas
    """
    s = _session(context)
    context.world.categories = queries.category_snapshot(s)
    assert_that(context.world.categories, is_not(empty()))
    for item in context.world.categories:
        assert_that(item, has_entries(exporterWlId=s.config.exporter_wl_id, categoryId=not_none(),
                                      name=not_none(), activeCount=greater_than_or_equal_to(0)))


@then("o CP lista as entidades do exportador, cada uma com sua contagem de ofertas ativas")
def step_entities_listed(context):
    """GET /wls/{exportador}/entities: itens com entityId, name e activeOffersCount ≥ 0.

    Exemplo: E o CP lista as entidades do exportador, cada uma com sua contagem de ofertas ativas
    """
    s = _session(context)
    context.world.entities = queries.entity_snapshot(s)
    assert_that(context.world.entities, is_not(empty()))
    for item in context.world.entities:
        assert_that(item, has_entries(exporterWlId=s.config.exporter_wl_id, entityId=not_none(),
                                      name=not_none(), activeOffersCount=greater_than_or_equal_to(0)))


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
    assert_that(queries.cached_policy(s) in (None, {}), equal_to(True), "o relacionamento ainda não tem export_policy")
    total = queries.exporter_total(s)
    assert_that(sum(c["activeCount"] for c in context.world.categories), equal_to(total))


# --- step 5: export_policy --------------------------------------------------------------------------
@given("que os snapshots do exportador estão sincronizados no CP")
def step_snapshots_ready(context):
    """Leva o reset até os snapshots sincronizados (passos 1 a 4) e lê categorias e entidades do CP.

    Exemplo: Dado que os snapshots do exportador estão sincronizados no CP
    """
    s = _session(context)
    reach(s, PHASE["snapshots sincronizados"])
    context.world.categories = queries.category_snapshot(s)
    context.world.entities = queries.entity_snapshot(s)
    assert_that(context.world.categories, is_not(empty()))


# --- step 6: peer token and import ------------------------------------------------------------------
@given("que o relacionamento exportador → importador está ativo")
def step_relationship_ready(context):
    """Leva o reset até os relacionamentos ativos (passos 1 a 3).

    Exemplo: Dado que o relacionamento exportador → importador está ativo
    """
    phases.at_least(_session(context), PHASE["visibilidade, relacionamentos e contas trader"])
    step_relationships_active(context)


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


@given('que o exportador aplica a export_policy que exclui a categoria "15"')
def step_broad_policy_ready(context):
    """Leva o reset até a export_policy ampla (exclui "15") aplicada no exportador (passos 1 a 5).

    Exemplo: Dado que o exportador aplica a export_policy que exclui a categoria "15"
    """
    s = _session(context)
    reach(s, PHASE["export_policy ampla aplicada no exportador"])
    context.world.policy = runbook_steps.BROAD_POLICY
    context.world.exporter_total = queries.exporter_total(s)
    assert_that(context.world.exporter_total, greater_than(0))


@when("eu executo o debug import no importador com um peer token novo")
def step_debug_import(context):
    """Runbook passo 6: peer token novo via mTLS e POST /api/v2/control-plane/debug/import no importador.

    Exemplo: Quando eu executo o debug import no importador com um peer token novo
    """
    s = _session(context)
    context.world.import_result = runbook_steps.debug_import(s, runbook_steps.peer_token(s))
    phases.mark(s, PHASE["ofertas importadas"])


@then("o importador não descobre mais ofertas do que o exportador exporta, e as elegíveis estão entre as descobertas")
def step_import_summary(context):
    """summary: 0 < totalOffersDiscovered ≤ total do exportador; eligibleOffers ≤ totalOffersDiscovered.

    Exemplo: Então o importador não descobre mais ofertas do que o exportador exporta, e as elegíveis estão entre as descobertas
    """
    summary = context.world.import_result["summary"]
    discovered, eligible = summary["totalOffersDiscovered"], summary["eligibleOffers"]
    assert_that(discovered, all_of(greater_than(0), less_than_or_equal_to(context.world.exporter_total)))
    assert_that(eligible, less_than_or_equal_to(discovered))


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


@when("eu executo o reset completo do runbook")
def step_full_reset(context):
    """Passos 1 a 6 de ponta a ponta: limpeza, WLs, políticas, relacionamentos, snapshots, export_policy, import.

    Exemplo: Quando eu executo o reset completo do runbook
    """
    s = _session(context)
    phases.mark(s, None)
    reach(s, PHASE["ofertas importadas"])


# --- background shared by the features that start from a reset environment --------------------------
@given("que o ambiente foi resetado e as ofertas do exportador foram importadas")
def step_environment_ready(context):
    """Reset completo (passos 1 a 6) se a execução ainda não tem um; senão recoloca a export_policy ampla
    (exclui "15") e refaz o import se outro cenário a mudou. Lê os snapshots do CP.

    Exemplo: Dado que o ambiente foi resetado e as ofertas do exportador foram importadas
    """
    s = _session(context)
    context.world.categories, context.world.entities = phases.ensure_ready_environment(s)
    assert_that(queries.buyable_offer_ids(s, limit=1), is_not(empty()), "ofertas importadas compráveis")


@given("que o ambiente passou pelo reset completo do runbook")
def step_environment_reset(context):
    """Reset completo (passos 1 a 6) se a execução ainda não tem um; lê os snapshots do CP. Não recoloca a
    export_policy: para cenários que definem a sua.

    Exemplo: Dado que o ambiente passou pelo reset completo do runbook
    """
    context.world.categories, context.world.entities = phases.snapshots_after_full_reset(_session(context))
    assert_that(context.world.categories, is_not(empty()), "snapshot de categorias do CP")
