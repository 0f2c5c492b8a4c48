"""support/policy_table.py (an export_policy written as a table, references resolved from the stack's
data), support/export_policy.predict (one evaluator for any policy) and support/dry_run.py."""
from __future__ import annotations

import datetime as dt

import pytest

from support.export_policy import base_policy, predict
from support.policy_table import Sources, policy_from_rows
from support.wl_shapes import ExportedOffer

CATEGORIES = [{"categoryId": "15", "activeCount": 2}, {"categoryId": "20", "activeCount": 1},
              {"categoryId": "99", "activeCount": 0}]
ENTITIES = [{"entityId": "7", "activeOffersCount": 2}, {"entityId": "8", "activeOffersCount": 1}]
OFFERS = [ExportedOffer(1, "15", "8", dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
          ExportedOffer(2, "20", "7", dt.datetime(2025, 2, 1, tzinfo=dt.UTC)),
          ExportedOffer(3, "15", "7", dt.datetime(2025, 3, 1, tzinfo=dt.UTC))]


def sources(read: list | None = None) -> Sources:
    def catalogue():
        if read is not None:
            read.append(1)
        return OFFERS
    return Sources(CATEGORIES, ENTITIES, catalogue)


@pytest.mark.parametrize(("rows", "expected"), [
    ([("include_categories", "a categoria com mais ofertas ativas")], {"include_categories": ["15"]}),
    ([("include_categories", "uma categoria sem ofertas ativas e 20")], {"include_categories": ["99", "20"]}),
    ([("exclude_categories", "[15]")], {"exclude_categories": [15]}),  # JSON: exactly as written
    ([("entity_allowlist", "uma entidade com 1 oferta ativa")], {"entity_allowlist": ["8"]}),
    ([("entity_blocklist", "a entidade com mais ofertas ativas")], {"entity_blocklist": ["7"]}),
    ([("entity_allowlist", "uma entidade da categoria 20")], {"entity_allowlist": ["7"]}),
    ([("entity_allowlist", "uma entidade da categoria com menos ofertas ativas")], {"entity_allowlist": ["7"]}),
    ([("min_created_at", "a data mediana do catálogo")], {"min_created_at": "2025-02-01T00:00:00Z"}),
    ([("min_created_at", "2000-01-01T00:00:00")], {"min_created_at": "2000-01-01T00:00:00"}),
    ([("enabled", "Não"), ("exclude_categories", "")], {"enabled": False}),
])
def test_a_table_becomes_the_policy_with_references_resolved(rows, expected):
    assert policy_from_rows(rows, sources()) == base_policy(**expected)


def test_tomorrow_is_midnight_utc_after_today():
    tomorrow = policy_from_rows([("min_created_at", "amanhã")], sources())["min_created_at"]
    today = dt.datetime.now(dt.UTC).date()
    assert tomorrow == (today + dt.timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")


def test_an_unknown_field_names_the_accepted_ones():
    with pytest.raises(AssertionError, match=r"campo desconhecido.*include_categories"):
        policy_from_rows([("categorias", "15")], sources())


def test_predict_reads_the_catalogue_only_when_the_snapshots_cannot_answer():
    read: list = []
    src = sources(read)
    single = predict(base_policy(exclude_categories=["15"]), CATEGORIES, ENTITIES, src.offers)
    assert (single.total, single.ids, single.source, read) == (1, None, "snapshots", [])
    both = predict(base_policy(include_categories=["15"], entity_allowlist=["7"]), CATEGORIES, ENTITIES, src.offers)
    assert (both.total, both.ids, both.source) == (1, (3,), "catálogo")
    since = predict(base_policy(min_created_at="2025-02-01T00:00:00Z", entity_blocklist=["8"]), CATEGORIES, ENTITIES,
                    src.offers)
    assert since.ids == (2, 3)
    off = predict(base_policy(enabled=False, exclude_categories=["15"]), CATEGORIES, ENTITIES, src.offers)
    assert off.total == 3


def test_an_outline_that_did_not_run_is_untested_in_a_dry_run():
    from behave.model import ScenarioOutline, Status

    from support import dry_run

    dry_run.install()

    class Built:
        status = Status.untested

    outline = ScenarioOutline("x.feature", 1, "Esquema do Cenário", "x")
    outline._scenarios = [Built(), Built()]
    assert outline.compute_status() == Status.untested
