"""support/vocabulary.py: each closed vocabulary hands the steps exactly the values support/ understands."""
from __future__ import annotations

from support import mtls_probe, security, token_misuse, vocabulary


def test_the_vocabularies_give_support_its_own_constants():
    assert set(vocabulary.ACAO_COMPRA.values.values()) == set(security.PURCHASE_ACTIONS)
    assert set(vocabulary.TOKEN_FORA_DO_LUGAR.values.values()) == set(token_misuse.CREDENTIALS)
    assert set(vocabulary.CHAMADA_COM_TOKEN.values.values()) == set(token_misuse.EXPIRY_CALLS)
    assert set(vocabulary.CERTIFICADO.values.values()) == {mtls_probe.NO_CERTIFICATE, mtls_probe.OTHER_CA,
                                                           mtls_probe.WL_CERTIFICATE}


def test_every_reset_phase_named_is_a_phase():
    from support.reset.phases import PHASE

    assert set(vocabulary.FASE_DO_RESET.values.values()) <= set(PHASE)


def test_every_runbook_action_named_has_its_code():
    import ast
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "steps" / "ambiente_steps.py").read_text(encoding="utf-8")
    runbook = next(node for node in ast.walk(ast.parse(source))
                   if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "RUNBOOK")
    assert {key.value for key in runbook.value.keys} == set(vocabulary.PASSO_DO_RUNBOOK.values.values())


def test_phrases_match_in_any_case_and_with_or_without_accents():
    assert vocabulary.RECUSA.convert("PRECO ATUALIZADO") == "wl.importer.buy_offer.msg_price_changed"
    assert vocabulary.PAPEL.convert("trader") == "TRADER"
    import re
    pattern = vocabulary.RECUSA.converter().pattern
    assert re.fullmatch(pattern, "Preço Atualizado") and re.fullmatch(pattern, "preco atualizado")
    assert re.fullmatch(pattern, "preço atualizad") is None
