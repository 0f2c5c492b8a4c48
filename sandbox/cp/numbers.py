"""Lenient number reading for telemetry payloads (JSON numbers or numeric strings)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def dec(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def integer(value) -> int | None:
    """The integer part; None for a number of more than 19 digits (`"1e999999999"` is never expanded)."""
    number = dec(value)
    return None if number is None or number.adjusted() > 18 else int(number)


def money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def first(*values):
    """The first value that is not None (Groovy `?:` without the falsy-zero trap)."""
    for value in values:
        if value is not None:
            return value
    return None


def payload_total(payload: dict) -> Decimal | None:
    """totalPrice | totalValue | amount, else unitPrice × (requested | confirmed) quantity, 2 decimals."""
    explicit = first(*(dec(payload.get(k)) for k in ("totalPrice", "totalValue", "amount")))
    if explicit is not None:
        return explicit
    price = dec(payload.get("unitPrice"))
    qty = first(integer(payload.get("requestedQuantity")), integer(payload.get("confirmedQuantity")))
    return money(price * qty) if price is not None and qty is not None else None
