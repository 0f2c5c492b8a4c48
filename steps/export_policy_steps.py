"""Steps of the export_policy feature: policies on the exporter → importer relationship, the
exporter's export and the importer's import under them."""
from behave import given, then, when
from hamcrest import assert_that, empty, equal_to, greater_than, has_entries, is_not, less_than_or_equal_to

from support import catalog, queries
from support.expect import expect
from support.export_policy import PolicyVocabulary, predicted_total
from support.readiness.plan import or_skip
from support.reset import runbook_steps
from support.stackmap.needs import deferred


def _vocabulary(context) -> PolicyVocabulary:
    s = context.session
    return PolicyVocabulary(context.world.categories, context.world.entities,
                            deferred(lambda: catalog.export_items(s, None)[1]))  # only some phrases need it


def _policy(context, phrase: str) -> dict | None:
    """The phrase's policy; None when it needs a map entry this stack lacks (the scenario is then skipped)."""
    return or_skip(context, lambda: _vocabulary(context).policy(phrase))


def _apply(context, phrase: str) -> None:
    s = context.session
    policy = _policy(context, phrase)
    if policy is None:
        return
    context.world.policy = policy
    runbook_steps.put_export_policy(s, policy)
    context.world.policy_path = runbook_steps.apply_policy_at_exporter(s, policy)


@when('eu aplico no relacionamento exportador → importador a política "{phrase}"')
def step_apply_policy(context, phrase):
    """PUT da export_policy no CP e espera o exportador aplicá-la (ou o UPDATE do runbook, se o perfil mandar).

    Exemplo: Quando eu aplico no relacionamento exportador → importador a política "excluir a categoria "15""
    """
    _apply(context, phrase)


@given('que o CP mantém para o relacionamento exportador → importador a política "{phrase}"')
def step_cp_keeps_policy(context, phrase):
    """A política está no CP e já chegou ao exportador.

    Exemplo: Dado que o CP mantém para o relacionamento exportador → importador a política "excluir a categoria "15""
    """
    _apply(context, phrase)
    if context.world.policy is None:
        return  # skipped: not proven here
    context.world.previous_policy = context.world.policy
    context.world.previous_total = queries.exporter_total(context.session)


@when('eu forço no cache do exportador, pelo SQL do runbook, a política "{phrase}"')
def step_force_cache(context, phrase):
    """O UPDATE cp_relationship_cache do runbook (passo 5), sem mudar nada no CP.

    Exemplo: Quando eu forço no cache do exportador, pelo SQL do runbook, a política "incluir só a categoria "15""
    """
    s = context.session
    policy = _policy(context, phrase)
    if policy is None:
        return
    assert_that(policy, is_not(equal_to(context.world.policy)), "a política forçada deve diferir da do CP")
    assert_that(runbook_steps.force_relationship_cache(s, policy), equal_to(1), "linhas atualizadas pelo UPDATE")
    context.world.policy = policy
    context.world.policy_path = "sql"


@then("o exportador exporta exatamente o total que os snapshots do CP preveem para essa política")
def step_total_as_predicted(context):
    """total do exportador (com importerWlId) = contagem prevista pelos snapshots de categorias/entidades.

    Exemplo: Então o exportador exporta exatamente o total que os snapshots do CP preveem para essa política
    """
    s = context.session
    context.world.predicted_total = predicted_total(context.world.policy, context.world.categories,
                                                    context.world.entities)
    context.world.exporter_total = queries.exporter_total(s)
    assert_that(context.world.exporter_total, equal_to(context.world.predicted_total),
                f"total exportado com a política {context.world.policy}")


@when('o importador importa as ofertas do exportador com um peer token novo de escopo "{scope}"')
def step_import_with_scope(context, scope):
    """Peer token novo via mTLS com o escopo dado, e o debug import do importador.

    Exemplo: Quando o importador importa as ofertas do exportador com um peer token novo de escopo "offers:sync"
    """
    s = context.session
    context.world.import_result = runbook_steps.debug_import(s, runbook_steps.peer_token(s, scopes=(scope,)),
                                                             scopes=(scope,))


@then("o importador não descobre mais do que o exportador exporta, e nada quando ele não exporta nada")
def step_import_bounded(context):
    """eligibleOffers ≤ totalOffersDiscovered ≤ total do exportador, e zero descoberto ⇔ zero exportado.

    Exemplo: Então o importador não descobre mais do que o exportador exporta, e nada quando ele não exporta nada
    """
    summary = context.world.import_result["summary"]
    total = context.world.exporter_total
    discovered, eligible = summary["totalOffersDiscovered"], summary["eligibleOffers"]
    assert_that(discovered, less_than_or_equal_to(total))
    assert_that(eligible, less_than_or_equal_to(discovered))
    assert_that(discovered == 0, equal_to(total == 0), f"descobertas {discovered} com total exportado {total}")


@then("toda oferta importada vem de uma oferta ativa do exportador que cumpre a política")
def step_imported_respect_policy(context):
    """Cada linha de imported_offer aponta para uma oferta ativa do catálogo do exportador que passa na política.

    Exemplo: E toda oferta importada vem de uma oferta ativa do exportador que cumpre a política
    """
    s = context.session
    rows = catalog.imported_rows(s)
    if context.world.exporter_total:
        assert_that(rows, is_not(empty()), "ofertas importadas")
    assert_that(catalog.imported_violations(s, context.world.policy), empty())


@then("o exportador exporta todas as ofertas ativas do catálogo")
def step_exports_everything(context):
    """total = Σ activeCount dos snapshots = ofertas ativas no catálogo do exportador.

    Exemplo: Então o exportador exporta todas as ofertas ativas do catálogo
    """
    s = context.session
    total = queries.exporter_total(s)
    active = sum(1 for o in catalog.exporter_offers(s) if o.active)
    assert_that(total, equal_to(sum(c["activeCount"] for c in context.world.categories)))
    assert_that(total, equal_to(active))


@then("o exportador não exporta nenhuma oferta")
def step_exports_nothing(context):
    """total 0 e nenhum item.

    Exemplo: Então o exportador não exporta nenhuma oferta
    """
    s = context.session
    total, items = catalog.export_items(s, s.config.importer_wl_id)
    assert_that((total, items), equal_to((0, [])))


@then("o exportador exporta exatamente as ofertas ativas que cumprem a política")
def step_exports_exactly(context):
    """Os ids exportados ao importador = ids da exportação ampla que passam na política (regras do contrato).

    Exemplo: Então o exportador exporta exatamente as ofertas ativas que cumprem a política
    """
    from support.export_policy import matches

    s = context.session
    _, broad = catalog.export_items(s, None)
    expected = sorted(i.id for i in broad if matches(context.world.policy, i))
    total, items = catalog.export_items(s, s.config.importer_wl_id)
    assert_that(expected, is_not(empty()), "a política deveria deixar passar alguma oferta")
    assert_that(len(expected), greater_than(0))
    assert_that(sorted(i.id for i in items), equal_to(expected))
    assert_that(total, equal_to(len(expected)))


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


INVALID = {
    "ids de categoria numéricos como [15]": {"exclude_categories": [15]},
    "min_created_at sem o Z de UTC": {"min_created_at": "2000-01-01T00:00:00"},
}


@when("eu envio ao CP uma export_policy inválida: {defect}")
def step_invalid_policy(context, defect):
    """PUT do relacionamento com uma export_policy que o CP não valida (ids numéricos, data sem Z).

    Exemplo: Quando eu envio ao CP uma export_policy inválida: ids de categoria numéricos como [15]
    """
    s = context.session
    if defect not in INVALID:
        raise AssertionError(f"defeito desconhecido: {defect!r}. Conhecidos: {sorted(INVALID)}")
    policy = dict(context.world.previous_policy, **INVALID[defect])
    context.world.response = s.cp_admin.put_relationship(
        s.config.exporter_wl_id, s.config.importer_wl_id,
        {"status": "active", "fxRate": 1, "limitAmount": 100000, "export_policy": policy,
         "updatedBy": "bootstrap", "updatedSource": "runbook"})


@then("o CP responde 200 e o relacionamento continua com a política anterior")
def step_previous_policy_kept(context):
    """A resposta é 200 e tanto ela quanto o GET do relacionamento trazem a política anterior.

    Exemplo: Então o CP responde 200 e o relacionamento continua com a política anterior
    """
    s = context.session
    previous = context.world.previous_policy
    assert_that(expect(context.world.response, 200, s, "PUT com política inválida"),
                has_entries(export_policy=previous))
    body = expect(s.cp_admin.get_relationship(s.config.exporter_wl_id, s.config.importer_wl_id), 200, s,
                  "relacionamento")
    assert_that(body, has_entries(export_policy=previous, exportPolicy=previous))


@then("o exportador continua exportando o total da política anterior")
def step_previous_total(context):
    """O cache do exportador guarda a política anterior e o total não mudou.

    Exemplo: E o exportador continua exportando o total da política anterior
    """
    s = context.session
    assert_that(queries.cached_policy(s), equal_to(context.world.previous_policy))
    assert_that(queries.exporter_total(s), equal_to(context.world.previous_total))
    assert_that(context.world.previous_total, greater_than(0))
