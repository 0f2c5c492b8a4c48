"""The changes beyond the runbook, made the way the steps make them, on the embedded sandbox opened as a
real Session: each goes through the journal (on disk before the change), and the end of the scenario
puts back exactly what was there; the QA account's balances, debited by a real checkout, are topped back
up. Recovery by the next run: restored on a shared stack, dropped on the embedded one."""
from __future__ import annotations

import json

import pytest

from support import journal, preconditions, preflight, trading, wl_sql
from support.errors import UnsafeOperation
from support.reset import phases


@pytest.fixture
def stack(sandbox_session):
    phases.reach(sandbox_session, phases.FULL_RESET)
    trading.ensure_buyer_can_buy(sandbox_session)
    sandbox_session.journal.begin_scenario("Um cenário fora do runbook", {journal.TAG})
    yield sandbox_session
    sandbox_session.journal.end_scenario()


def snapshot(s) -> dict:
    """What the four changes touch, read straight from the databases."""
    account = s.config.buyer_account_id
    return {
        "xbalance": trading.xbalance(s),
        "maturidade": wl_sql.maturity_rows(s, account),
        "privilegios": s.db.importer.rows("SELECT id, buy_offer FROM account_privileges WHERE account_id=%s ORDER BY id",
                                          (account,)),
        "qa": preflight.qa_money(s),
    }


def test_each_change_is_on_disk_first_and_the_scenarios_end_puts_everything_back(stack):
    before = snapshot(stack)
    offer = trading.fresh_offers(stack, 1)[0]
    origin = wl_sql.origin_offer(stack, offer.origin_offer_id)
    preconditions.low_balance(stack, offer.offer_id)
    preconditions.no_maturity(stack)
    preconditions.duplicated_privileges(stack)
    preflight.change_origin_offer(stack, offer.origin_offer_id, stock=0)
    entries = json.loads(stack.journal.path.read_text())
    assert [e["database"] for e in entries] == ["importer", "importer", "importer", "exporter"]
    changed = snapshot(stack)
    assert changed["xbalance"] < before["xbalance"] and changed["maturidade"] == []
    assert len(changed["privilegios"]) == 2 and wl_sql.origin_offer(stack, offer.origin_offer_id)[1] == 0
    assert len(stack.journal.end_scenario()) == 4
    assert snapshot(stack) == before and wl_sql.origin_offer(stack, offer.origin_offer_id) == origin
    assert not stack.journal.path.exists()


def test_a_real_checkout_is_topped_back_up_at_the_end(stack):
    before = preflight.qa_money(stack)
    offer = trading.fresh_offers(stack, 1)[0]
    hold = preflight.make_hold(stack, offer)
    response = preflight.checkout(stack, offer, hold.hold_id, preflight.new_idempotency_key())
    assert response.status_code in (200, 201), response.text
    assert preflight.qa_money(stack)["X$"] < before["X$"]  # the checkout spent the QA account's money
    stack.journal.end_scenario()
    after = preflight.qa_money(stack)
    assert (after["X$"], after["R$"]) == (before["X$"], before["R$"])


def test_a_change_in_a_scenario_without_the_tag_is_refused_and_nothing_changes(stack):
    before = snapshot(stack)
    stack.journal.begin_scenario("Sem a tag", {"trades"})
    with pytest.raises(UnsafeOperation, match="sem a tag @fora-do-runbook"):
        preconditions.no_maturity(stack)
    assert snapshot(stack) == before


def test_an_interrupted_run_is_restored_on_a_shared_stack_and_dropped_on_the_embedded_one(stack, tmp_path):
    before = snapshot(stack)
    offer = trading.fresh_offers(stack, 1)[0]
    preconditions.low_balance(stack, offer.offer_id)
    # the run dies here; the next run of a shared stack finds the journal and puts the value back:
    next_run = journal.ChangeJournal(stack.journal.path, stack.db, allowed=False)
    assert journal.recover_previous_run(next_run, "compose") == [
        f"saldo X$ do comprador (xbalance {stack.config.buyer_xbalance_id}) abaixo do preço "
        "(cenário 'Um cenário fora do runbook')"]
    assert snapshot(stack) == before and not stack.journal.path.exists()
    # on the embedded stack a previous run's database is gone: its journal is dropped, nothing is written
    stale = journal.ChangeJournal(tmp_path / "embutido.json", stack.db, allowed=True)
    stale.begin_scenario("velho", {journal.TAG})
    stale.guard("importer", "valor de uma execução embutida que já acabou", "UPDATE xbalance SET value=-1 WHERE id=-1")
    assert journal.recover_previous_run(stale, "embedded") == [] and not stale.path.exists()
