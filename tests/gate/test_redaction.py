"""support.redaction: exceptions leaving a step, its print() and logging are masked before behave
formats them (unit level; test_falha_relatorios.py proves it end to end)."""
from __future__ import annotations

import io
import logging

import pytest

from support import redaction
from support.masking import Masker

SECRET = "s3gredo-da-suite"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def test_the_message_and_the_chain_are_masked_in_place():
    masker = Masker([SECRET])
    try:
        try:
            raise KeyError(f"causa {SECRET}")
        except KeyError as cause:
            raise AssertionError(f"falhou com {SECRET} e {JWT}") from cause
    except AssertionError as caught:
        caught.add_note(f"nota {SECRET}")
        exc = caught
    masked = redaction.mask_exception(exc, masker)
    assert masked is exc
    assert str(exc) == "falhou com *** e ***"
    assert SECRET not in str(exc.__cause__) and exc.__notes__ == ["nota ***"]


def test_an_exception_whose_text_is_not_its_args_is_replaced():
    class Odd(Exception):
        def __str__(self) -> str:
            return f"odd {SECRET}"

    masked = redaction.mask_exception(Odd(), Masker([SECRET]))
    assert isinstance(masked, RuntimeError) and str(masked) == "Odd: odd ***"
    masked = redaction.mask_exception(type("OddAssertion", (AssertionError,), {"__str__": lambda self: SECRET})(),
                                      Masker([SECRET]))
    assert type(masked) is AssertionError and str(masked) == "***"


def test_the_masking_stream_masks_what_goes_through_it():
    out = io.StringIO()
    stream = redaction.MaskingStream(out, Masker([SECRET]))
    print("token:", SECRET, JWT, file=stream)
    assert out.getvalue() == "token: *** ***\n"


@pytest.fixture
def installed():
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)
    redaction._state.update(masker=None, installed=False)


def test_install_masks_logging_and_steps(installed, caplog):
    from behave import matchers

    original = matchers.Match.run
    try:
        redaction.install(Masker([SECRET]))
        redaction.install(Masker([SECRET]))  # idempotent: wraps once
        assert matchers.Match.run.__xpory_original__ is original
        logging.getLogger("x").warning("senha %s", SECRET)
        assert caplog.records[-1].getMessage() == "senha ***"

        def step(context):
            raise AssertionError(f"com {SECRET}")

        match = matchers.Match(step, [])

        class Context:
            def use_with_user_mode(self):
                import contextlib
                return contextlib.nullcontext()

        with pytest.raises(AssertionError, match=r"^com \*\*\*$"):
            match.run(Context())
    finally:
        matchers.Match.run = original
