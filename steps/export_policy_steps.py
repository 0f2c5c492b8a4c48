"""Steps of the export_policy: a policy given as a data table of its real fields (literal ids or
references to the stack's data, support/policy_table.py), sent to the CP, applied at the exporter or
forced into its cache, and the export and the import predicted for it by one general evaluator
(support/export_policy.py: the CP snapshots and the exporter's catalogue)."""
from behave import given, then, when
from hamcrest import assert_that, empty, equal_to, greater_than, has_entries, is_not, less_than_or_equal_to, not_none

from support import catalog, policy_propagation, queries
from support import vocabulary as _vocabulary  # noqa: F401  (registers the typed parameters)
from support.expect import expect
from support.export_policy import predict
from support.policy_table import Sources, policy_from_rows, rows_of
from support.readiness.plan import or_skip
from support.reset import phases, runbook_steps
from support.reset.phases import PHASE
from support.run_outcome import skip_not_proven
from support.stackmap.needs import deferred
from support.vocabulary import compare

TABLE_STEP = "Quando eu aplico no relacionamento exportador → importador a export_policy:"


def _sources(context) -> Sources:
    s = context.session
    return Sources(context.world.categories, context.world.entities,
                   deferred(lambda: catalog.export_items(s, None)[1]))  # read only when a value needs it


def _table_policy(context) -> dict | None:
    """The table's policy; None when a reference needs a map entry this stack lacks (scenario skipped)."""
    if context.table is None:
        raise AssertionError("este passo leva uma tabela | campo | valor | com os campos da export_policy")
    if not context.world.categories:
        context.world.categories = queries.category_snapshot(context.session)
        context.world.entities = queries.entity_snapshot(context.session)
    return or_skip(context, lambda: policy_from_rows(rows_of(context.table), _sources(context)))


def _send(context, policy: dict) -> None:
    s, c = context.session, context.session.config
    context.world.response = s.cp_admin.put_relationship(
        c.exporter_wl_id, c.importer_wl_id,
        {"status": "active", "fxRate": 1, "limitAmount": 100000, "export_policy": policy,
         "updatedBy": "bootstrap", "updatedSource": "runbook"})


@given("que o CP mantém para o relacionamento exportador → importador a export_policy:")
@when("eu aplico no relacionamento exportador → importador a export_policy:")
def step_apply_policy(context):
    """PUT do relacionamento exportador → importador no CP com a export_policy da tabela (| campo | valor |,
    campos enabled, min_created_at, include_categories, exclude_categories, entity_allowlist, entity_blocklist,
    price_min, price_max; valores literais ou referências, abaixo) e espera o exportador aplicá-la (ou o UPDATE
    do runbook, se o perfil mandar). Campos fora da tabela ficam como na política base do runbook.

    Exemplo: Quando eu aplico no relacionamento exportador → importador a export_policy:
    Exemplo: Dado que o CP mantém para o relacionamento exportador → importador a export_policy:
    """
    s = context.session
    policy = _table_policy(context)
    if policy is None:
        return
    context.world.cached_before = queries.cached_policy(s)
    changed = runbook_steps.cp_export_policy(s) != policy
    _send(context, policy)
    expect(context.world.response, 200, s, "definir a export_policy exportador → importador")
    context.world.policy_put_at = policy_propagation.exporter_clock(s)
    context.world.policy = policy
    context.world.policy_path = runbook_steps.apply_policy_at_exporter(s, policy, cp_changed=changed)
    if s.reset_state.phase == PHASE["snapshots sincronizados"]:  # the runbook's step 5, done by hand
        phases.mark(s, PHASE["export_policy ampla aplicada no exportador"]
                    if policy == runbook_steps.BROAD_POLICY else None)


@when("eu envio ao CP a export_policy:")
def step_send_policy(context):
    """Só o PUT do relacionamento no CP com a política da tabela (inválida, de propósito, com um valor JSON
    como `[15]`), sem esperar o exportador; guarda a política em vigor e o total exportado de antes.

    Precisa antes: Dado que o CP mantém para o relacionamento exportador → importador a export_policy:
    Exemplo: Quando eu envio ao CP a export_policy:
    """
    s = context.session
    context.world.previous_policy = context.world.need("policy", "Dado que o CP mantém para o relacionamento "
                                                                 "exportador → importador a export_policy:")
    context.world.previous_total = queries.exporter_total(s)
    policy = _table_policy(context)
    if policy is not None:
        _send(context, policy)


@when("eu forço no cache do exportador, pelo SQL do runbook, a export_policy:")
def step_force_cache(context):
    """O UPDATE cp_relationship_cache do runbook (passo 5) com a política da tabela, sem mudar nada no CP. Antes,
    se o exportador ainda não puxou o relacionamento depois do PUT do "Dado" (um perfil que aplica a política
    direto pelo UPDATE, XPORY_POLICY_WAIT_SECONDS=0), espera essa puxada: a mudança do CP ainda por puxar
    regravaria o cache, e o cenário é sobre o UPDATE valer quando o CP não mudou.

    Precisa antes: Dado que o CP mantém para o relacionamento exportador → importador a export_policy:
    Exemplo: Quando eu forço no cache do exportador, pelo SQL do runbook, a export_policy:
    """
    s = context.session
    in_cp = context.world.need("policy", "Dado que o CP mantém para o relacionamento exportador → importador "
                                         "a export_policy:")
    policy = _table_policy(context)
    if policy is None:
        return
    assert_that(policy, is_not(equal_to(in_cp)), "a política forçada deve diferir da do CP")
    if context.world.policy_put_at is not None:  # the CP's change pulled first (at once when it already was)
        policy_propagation.wait_next_pull(s, context.world.policy_put_at)
    assert_that(runbook_steps.force_relationship_cache(s, policy), equal_to(1), "linhas atualizadas pelo UPDATE")
    context.world.forced_at = policy_propagation.exporter_clock(s)
    context.world.policy = policy
    context.world.policy_path = "sql"


@then("o CP devolve o relacionamento assinado com essa export_policy")
def step_policy_echoed(context):
    """A resposta do PUT traz export_policy e exportPolicy iguais à enviada e a assinatura HMAC-SHA256.

    Precisa antes: Quando eu aplico no relacionamento exportador → importador a export_policy:
    Exemplo: Então o CP devolve o relacionamento assinado com essa export_policy
    """
    s = context.session
    policy = context.world.need("policy", TABLE_STEP)
    body = expect(context.world.response, 200, s, "PUT do relacionamento")
    assert_that(body, has_entries(export_policy=policy, exportPolicy=policy,
                                  signature=has_entries(algorithm="HMAC-SHA256", value=not_none())))


@then("o exportador exporta exatamente as ofertas que a política deixa passar")
def step_exports_as_predicted(context):
    """Prevê a exportação para QUALQUER combinação de campos: pelos snapshots do CP (Σ activeCount das
    categorias ou entidades escolhidas) quando eles respondem (uma dimensão, sem data nem preço), senão
    avaliando cada oferta ativa do catálogo do exportador pelas regras do contrato (desligada ⇒ tudo;
    excluir vence incluir; blocklist vence allowlist; categorias E entidades; min_created_at inclusivo).
    Confere o total exportado ao importador e, quando leu o catálogo, os ids.

    Precisa antes: Quando eu aplico no relacionamento exportador → importador a export_policy:
    Exemplo: Então o exportador exporta exatamente as ofertas que a política deixa passar
    """
    s = context.session
    policy = context.world.need("policy", TABLE_STEP)
    prediction = or_skip(context, lambda: predict(policy, context.world.categories, context.world.entities,
                                                  deferred(lambda: catalog.export_items(s, None)[1])))
    if prediction is None:
        return
    context.world.predicted_total = prediction.total
    context.world.exporter_total = queries.exporter_total(s)
    assert_that(context.world.exporter_total, equal_to(prediction.total),
                f"total exportado com a política {policy} (previsto pelo {prediction.source})")
    if prediction.ids is not None:
        _, items = catalog.export_items(s, s.config.importer_wl_id)
        assert_that(sorted(i.id for i in items), equal_to(list(prediction.ids)), "ofertas exportadas")


@then("o exportador exporta {comparacao:Comparacao} {n:d} ofertas")
def step_export_count(context, comparacao, n):
    """O total exportado ao importador, e o número de itens da exportação igual ao total, comparados a N
    (exatamente, pelo menos, no máximo, mais de, menos de).

    Exemplo: Então o exportador exporta exatamente 0 ofertas
    Exemplo: E o exportador exporta mais de 0 ofertas
    """
    s = context.session
    total, items = catalog.export_items(s, s.config.importer_wl_id)
    assert_that(len(items), equal_to(total), "itens da exportação × total")
    assert_that(compare(total, comparacao, n), equal_to(True), f"total exportado {total}, esperava {comparacao} {n}")


@then("o exportador exporta todas as ofertas ativas do catálogo")
def step_exports_everything(context):
    """total = Σ activeCount dos snapshots = ofertas ativas no catálogo do exportador (SQL).

    Exemplo: Então o exportador exporta todas as ofertas ativas do catálogo
    """
    s = context.session
    total = queries.exporter_total(s)
    active = sum(1 for o in catalog.exporter_offers(s) if o.active)
    assert_that(total, equal_to(sum(c["activeCount"] for c in context.world.categories)))
    assert_that(total, equal_to(active))


@then("nenhuma oferta inativa do catálogo do exportador aparece na exportação")
def step_no_inactive(context):
    """O catálogo tem ofertas inativas, e nenhuma delas está entre as exportadas.

    Exemplo: Então nenhuma oferta inativa do catálogo do exportador aparece na exportação
    """
    s = context.session
    inactive = {o.id for o in catalog.exporter_offers(s) if not o.active}
    assert_that(inactive, is_not(empty()), "o catálogo precisa ter ofertas inativas")
    _, items = catalog.export_items(s, s.config.importer_wl_id)
    assert_that(items, is_not(empty()))
    assert_that(sorted(inactive & {i.id for i in items}), empty())


@when('o importador importa as ofertas do exportador com um peer token novo de escopo "{escopo:Escopo}"')
def step_import_with_scope(context, escopo):
    """Peer token novo via mTLS com o escopo dado, e o debug import do importador.

    Exemplo: Quando o importador importa as ofertas do exportador com um peer token novo de escopo "offers:sync"
    """
    s = context.session
    context.world.import_result = runbook_steps.debug_import(s, runbook_steps.peer_token(s, scopes=(escopo,)),
                                                             scopes=(escopo,))


@then("o importador não descobre mais do que o exportador exporta, e nada quando ele não exporta nada")
def step_import_bounded(context):
    """eligibleOffers ≤ totalOffersDiscovered ≤ total do exportador, e zero descoberto ⇔ zero exportado.

    Precisa antes: Então o exportador exporta exatamente as ofertas que a política deixa passar
    Exemplo: Então o importador não descobre mais do que o exportador exporta, e nada quando ele não exporta nada
    """
    summary = context.world.need("import_result", "Quando o importador importa as ofertas do exportador com um "
                                                  'peer token novo de escopo "offers:sync"')["summary"]
    total = context.world.exporter_total
    if total is None:
        total = queries.exporter_total(context.session)
    discovered, eligible = summary["totalOffersDiscovered"], summary["eligibleOffers"]
    assert_that(discovered, less_than_or_equal_to(total))
    assert_that(eligible, less_than_or_equal_to(discovered))
    assert_that(discovered == 0, equal_to(total == 0), f"descobertas {discovered} com total exportado {total}")


@then("toda oferta importada vem de uma oferta ativa do exportador que cumpre a política")
def step_imported_respect_policy(context):
    """Cada linha de imported_offer aponta para uma oferta ativa do catálogo do exportador que passa na
    política; se o exportador exporta algo, o importador tem ofertas importadas.

    Precisa antes: Quando eu aplico no relacionamento exportador → importador a export_policy:
    Exemplo: E toda oferta importada vem de uma oferta ativa do exportador que cumpre a política
    """
    s = context.session
    policy = context.world.need("policy", TABLE_STEP)
    rows = catalog.imported_rows(s)
    if queries.exporter_total(s):
        assert_that(rows, is_not(empty()), "ofertas importadas")
    assert_that(catalog.imported_violations(s, policy), empty())


@then("o CP responde 200 e o relacionamento continua com a política anterior")
def step_previous_policy_kept(context):
    """A resposta do PUT é 200 e tanto ela quanto o GET do relacionamento trazem a política anterior.

    Precisa antes: Quando eu envio ao CP a export_policy:
    Exemplo: Então o CP responde 200 e o relacionamento continua com a política anterior
    """
    s = context.session
    previous = context.world.need("previous_policy", "Quando eu envio ao CP a export_policy:")
    assert_that(expect(context.world.response, 200, s, "PUT com política inválida"),
                has_entries(export_policy=previous))
    body = expect(s.cp_admin.get_relationship(s.config.exporter_wl_id, s.config.importer_wl_id), 200, s,
                  "relacionamento")
    assert_that(body, has_entries(export_policy=previous, exportPolicy=previous))


@then("o exportador continua exportando o total da política anterior")
def step_previous_total(context):
    """O cache do exportador guarda a política anterior e o total não mudou (e não é zero).

    Precisa antes: Quando eu envio ao CP a export_policy:
    Exemplo: E o exportador continua exportando o total da política anterior
    """
    s = context.session
    previous = context.world.need("previous_policy", "Quando eu envio ao CP a export_policy:")
    assert_that(queries.cached_policy(s), equal_to(previous))
    assert_that(queries.exporter_total(s), equal_to(context.world.previous_total))
    assert_that(context.world.previous_total, greater_than(0))


@then("a política chegou ao exportador puxada do CP, sem o UPDATE do runbook")
def step_arrived_by_pull(context):
    """O cache do exportador guardava outra política antes do PUT, e passou a guardar a nova sozinho, dentro de
    XPORY_POLICY_WAIT_SECONDS, sem o UPDATE do runbook (support.reset.runbook_steps.apply_policy_at_exporter
    diz o caminho). Num perfil que sempre aplica o UPDATE (XPORY_POLICY_WAIT_SECONDS=0) a chegada pelo CP não
    se prova: o cenário é pulado como não provado.

    Precisa antes: Quando eu aplico no relacionamento exportador → importador a export_policy:
    Exemplo: Então a política chegou ao exportador puxada do CP, sem o UPDATE do runbook
    """
    policy = context.world.need("policy", TABLE_STEP)
    why_not = policy_propagation.propagation_provable(context.session)
    if why_not is not None:
        skip_not_proven(context, context.scenario, why_not)
        return
    assert_that(context.world.cached_before, is_not(equal_to(policy)),
                "o cache do exportador já guardava essa política antes do PUT: a chegada não prova nada")
    assert_that(context.world.policy_path, equal_to("poll"),
                "a export_policy só chegou ao exportador pelo UPDATE do runbook (o exportador não a puxou do CP)")


@then("o UPDATE continua valendo depois que o exportador puxa de novo o relacionamento do CP")
def step_update_survives_pull(context):
    """Espera o exportador puxar o relacionamento de novo (fetched_at do cache depois do UPDATE, até
    XPORY_RELATIONSHIP_PULL_TIMEOUT_SECONDS): o cache ainda guarda a política forçada e o total exportado é o
    mesmo de antes da puxada (o CP não mudou, então a puxada não regrava o cache).

    Precisa antes: Quando eu forço no cache do exportador, pelo SQL do runbook, a export_policy:
    Exemplo: E o UPDATE continua valendo depois que o exportador puxa de novo o relacionamento do CP
    """
    s = context.session
    forced = context.world.need("policy", "Quando eu forço no cache do exportador, pelo SQL do runbook, a export_policy:")
    total = context.world.need("exporter_total", "Então o exportador exporta exatamente as ofertas que a política "
                                                 "deixa passar")
    policy_propagation.wait_next_pull(s, context.world.need("forced_at", "Quando eu forço no cache do exportador, "
                                                                         "pelo SQL do runbook, a export_policy:"))
    assert_that(queries.cached_policy(s), equal_to(forced), "política no cache do exportador")
    assert_that(queries.exporter_total(s), equal_to(total), "total exportado depois da puxada")


@then("toda oferta que o importador descobre é elegível, como nos cinco runbooks")
def step_all_discovered_eligible(context):
    """eligibleOffers = totalOffersDiscovered no resumo do debug import (os cinco runbooks de export_policy de
    2026-01-06 registraram elegíveis = descobertas).

    Precisa antes: Quando o importador importa as ofertas do exportador com um peer token novo de escopo "offers:sync"
    Exemplo: E toda oferta que o importador descobre é elegível, como nos cinco runbooks
    """
    result = context.world.need("import_result", 'Quando o importador importa as ofertas do exportador com um peer '
                                                 'token novo de escopo "offers:sync"')
    summary = result["summary"]
    assert_that(summary["eligibleOffers"], equal_to(summary["totalOffersDiscovered"]),
                "ofertas elegíveis entre as descobertas")
