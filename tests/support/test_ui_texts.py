"""Text matching of the page objects (accent-tolerant patterns, numbers and counts read from the
screen) and the commercial-balance screen expected from the API's report."""
from __future__ import annotations

from decimal import Decimal

import pytest

from support.ui.balance import differences, expected_screen
from support.ui.texts import is_placeholder, number, pattern, starting_with, trailing_count, with_count

RUNBOOK = "O preco desta oferta foi atualizado. Atualize a pagina e tente novamente."
ACCENTED = "O preço desta oferta foi atualizado. Atualize a página e tente novamente."


@pytest.mark.parametrize("expected", [RUNBOOK, ACCENTED])
@pytest.mark.parametrize("shown", [RUNBOOK, ACCENTED, ACCENTED.upper(), "  O preço desta\n oferta foi atualizado.  Atualize a "
                                                                        "página e tente novamente. "])
def test_the_runbook_and_the_page_spellings_match_each_other(expected, shown):
    assert pattern(expected).search(shown)
    assert pattern(expected, exact=True).search(shown)


def test_exact_pattern_refuses_more_text_and_plain_pattern_finds_it_inside():
    shown = "Preço atualizado " + ACCENTED
    assert pattern(RUNBOOK).search(shown)
    assert not pattern(RUNBOOK, exact=True).search(shown)
    assert not pattern("Oferta esgotada.", exact=True).search("Oferta esgotada. Escolha outra")


@pytest.mark.parametrize("expected, shown", [
    ("Oferta esgotada.", "Oferta esgotadaX"),   # the dot is a dot, not "any character"
    ("Negociações", "Negociacoes pendentes"),  # exact
    ("Aprovar", "Aprovações"),
])
def test_exact_pattern_does_not_match_other_texts(expected, shown):
    assert not pattern(expected, exact=True).search(shown)


def test_patterns_survive_playwright_conversion_to_a_javascript_regex():
    # Playwright sends pattern.pattern and the i flag to the browser: only JS-compatible syntax
    for compiled in (pattern(ACCENTED, exact=True), starting_with("Alimentação"), with_count("Alimentação")):
        assert "(?" not in compiled.pattern.replace("(?:", "")  # no Python-only inline groups or flags
        assert compiled.flags & 2  # re.IGNORECASE


def test_name_with_count_reads_the_count_at_the_end():
    match = with_count("Alimentação").search("Alimentacao 61")
    assert match and match.group(1) == "61"
    assert with_count("Alimentação").search("  Alimentação\n 7 ").group(1) == "7"
    assert not with_count("Alimentação").search("Alimentação Saudável 10")
    assert not with_count("Alimentação").search("Alimentação —")
    assert starting_with("Alimentação").search("Alimentação 61")
    assert not starting_with("Alimentação").search("Alimentações 61")


@pytest.mark.parametrize("shown, value", [
    ("860.16", Decimal("860.16")), ("X$ 1.234,56", Decimal("1234.56")), ("1,234.56", Decimal("1234.56")),
    ("-12.5", Decimal("-12.5")), ("61", Decimal(61)), ("Pendentes: 3", Decimal(3)), ("0,5", Decimal("0.5")),
    ("1.234.567", Decimal(1234567)), ("−7.00", Decimal("-7.00")),
])
def test_numbers_read_from_the_screen(shown, value):
    assert number(shown) == value


@pytest.mark.parametrize("shown", ["—", "", "-", "sem valor"])
def test_no_number_is_an_error(shown):
    with pytest.raises(ValueError):
        number(shown)


def test_trailing_count_and_placeholders():
    assert trailing_count("A3Negocios 3") == 3
    with pytest.raises(ValueError):
        trailing_count("A3Negocios")
    assert all(is_placeholder(v) for v in ("", None, " - ", "—", "–"))
    assert not is_placeholder("Cesta Alimentação")


# --- the commercial-balance screen ------------------------------------------------------------------
EXP, IMP = "exp-id", "imp-id"


def report(a: str = EXP, b: str = IMP) -> dict:
    def side(confirmed, pending, rejected, total):
        return {"counts": {"CONFIRMED": confirmed, "PENDING": pending, "REJECTED": rejected, "UNKNOWN": 0},
                "totals": {"CONFIRMED": total, "PENDING": 0, "REJECTED": 0, "UNKNOWN": 0}}
    return {"relationships": [{
        "wlAId": a, "wlBId": b,
        "relationships": {"aToB": {"status": "active", "fxRate": 1, "limitAmount": 100000},
                          "bToA": {"status": "paused", "fxRate": 1.5, "limitAmount": 500}},
        "tradeMetrics": {"aToB": side(4, 2, 2, "860.16"), "bToA": side(1, 0, 1, 10)},
        "totals": {"totalExported": "860.16", "totalImported": "10", "balance": "850.16"},
    }]}


def test_expected_screen_sums_both_directions_and_keeps_report_totals():
    want = expected_screen(report(), EXP, IMP)
    assert (want["confirmed"], want["pending"], want["rejected"]) == (5, 2, 3)
    assert want["origin_exported"] == Decimal("860.16") and want["origin_imported"] == Decimal(10)
    assert want["origin_balance"] == Decimal("850.16")
    assert want["total_exported"] == Decimal("860.16") and want["balance"] == Decimal("850.16")
    assert (want["status"], want["fx"], want["limit"]) == ("active", Decimal(1), Decimal(100000))


def test_expected_screen_from_the_other_orientation_swaps_forward_and_reverse():
    want = expected_screen(report(a=IMP, b=EXP), EXP, IMP)  # the pair entry has the importer as A
    assert want["origin_exported"] == Decimal(10) and want["origin_imported"] == Decimal("860.16")
    assert (want["status"], want["fx"]) == ("paused", Decimal("1.5"))
    assert want["confirmed"] == 5


def test_expected_screen_without_the_pair():
    assert expected_screen({"relationships": []}, EXP, IMP) is None
    assert expected_screen(report(a="other"), EXP, IMP) is None


def test_every_field_of_the_screen_has_its_label_in_the_stack_map():
    from support.stackmap.catalogue import BY_NAME
    from support.ui.balance import LABELS

    assert set(LABELS) == set(expected_screen(report(), EXP, IMP))
    assert all(entry in BY_NAME for entry in LABELS.values())


def test_differences_agree_with_the_screen_and_catch_each_mismatch():
    want = expected_screen(report(), EXP, IMP)
    shown = {"confirmed": "5", "pending": "2", "rejected": "3", "origin_exported": "860.16",
             "origin_imported": "10.00", "origin_balance": "850.16", "total_exported": "860.16",
             "total_imported": "10.00", "balance": "850.16", "status": "active", "fx": "1",
             "limit": "100000.00"}
    assert differences(shown, want) == []
    wrong = dict(shown, pending="3", origin_balance="850.15", status="paused", fx="—")
    del wrong["rejected"]
    found = differences(wrong, want)
    assert len(found) == 5
    assert any(d.startswith("pending: tela 3, API 2") for d in found)
    assert any(d.startswith("rejected: não aparece") for d in found)
    assert any(d.startswith("fx: tela '—' não é um número") for d in found)


def test_differences_when_the_api_has_no_value():
    assert differences({"status": "—"}, {"status": None}) == []
    assert differences({"status": "active"}, {"status": None}) == ["status: a tela mostra 'active', a API não tem valor"]
