"""A relationship's fields written as a data table (| campo | valor |), sent to the CP and compared with
what it answers (cp.md §4.1, §4.3): numbers numerically, booleans as booleans, texts ignoring case (the CP
lower-cases `status` and upper-cases `approvalMode`)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .text import fold

FIELDS = ("status", "fxRate", "limitAmount", "approvalMode", "manualApprovalAboveAmount", "manualApprovalAboveQty",
          "manualApprovalOnFirstTrade", "manualApprovalOnImbalance", "notes")


def ids(config, sentido: str) -> tuple[str, str]:
    """(source, target) of "exporter->importer" or "importer->exporter" (support.vocabulary.SENTIDO)."""
    a, b = config.exporter_wl_id, config.importer_wl_id
    return (a, b) if sentido == "exporter->importer" else (b, a)


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def value(text: str):
    """The JSON value a cell stands for: true/false, null, a number, or the text as written."""
    text = text.strip()
    if fold(text) in ("true", "false"):
        return fold(text) == "true"
    if text == "null":
        return None
    number = _number(text)
    if number is None or not number.is_finite():
        return text
    return float(number) if any(mark in text for mark in ".,") else int(number)


def body(rows: list[tuple[str, str]]) -> dict:
    """The PUT body of the table's fields (unknown fields are an error naming the accepted ones)."""
    unknown = [name for name, _ in rows if name.strip() not in FIELDS]
    if unknown:
        raise AssertionError(f"campo desconhecido do relacionamento: {unknown}; use um destes: {', '.join(FIELDS)}")
    return {name.strip(): value(text) for name, text in rows}


def differences(answer: dict, rows: list[tuple[str, str]]) -> list[str]:
    """What the CP's relationship shows differently from the table."""
    found = []
    for name, text in rows:
        want, got = value(text), answer.get(name.strip())
        if isinstance(want, bool) or want is None:
            same = got == want
        elif isinstance(want, (int, float)):
            same = got is not None and _number(str(got)) == _number(str(want))
        else:
            same = fold(str(got)) == fold(want)
        if not same:
            found.append(f"{name.strip()}: esperava {text.strip()!r}, o CP tem {got!r}")
    return found
