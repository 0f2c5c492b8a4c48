"""Grails-style domain validation answers: `422 {"error":"Validation failed","details":[...]}`.

The real CP renders Grails' *default message templates* with the placeholders unresolved
(contract §0.2), so `details` holds e.g. `Property [{0}] of class [{1}] with value [{2}] must be unique`.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..inputs import INT32_MAX, INT32_MIN
from .web import ApiError

UNIQUE = "Property [{0}] of class [{1}] with value [{2}] must be unique"
MAX_SIZE = "Property [{0}] of class [{1}] with value [{2}] exceeds the maximum size of [{3}]"
EMAIL = "Property [{0}] of class [{1}] with value [{2}] is not a valid e-mail address"
IN_LIST = "Property [{0}] of class [{1}] with value [{2}] is not contained within the list [{3}]"
RANGE = "Property [{0}] of class [{1}] with value [{2}] does not fall within the valid range from [{3}] to [{4}]"
MIN = "Property [{0}] of class [{1}] with value [{2}] is less than minimum value [{3}]"
NULLABLE = "Property [{0}] of class [{1}] cannot be null"
BLANK = "Property [{0}] of class [{1}] cannot be blank"
CUSTOM = "Property [{0}] of class [{1}] with value [{2}] does not pass custom validation"

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def is_email(value: str) -> bool:
    return bool(_EMAIL_RE.match(value))


class Errors(list):
    def check(self, ok: bool, template: str) -> None:
        if not ok:
            self.append(template)

    def raise_if_any(self) -> None:
        if self:
            raise ApiError(422, body={"error": "Validation failed", "details": list(self)})


def too_long(value, size: int) -> bool:
    return value is not None and len(str(value)) > size


def fits_numeric(value: Decimal, precision: int, scale: int) -> bool:
    """Whether the value can be stored in a numeric(precision, scale) column."""
    return abs(value) < Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale)


def fits_integer(value: int) -> bool:
    return INT32_MIN <= value <= INT32_MAX


def out_of_column(field: str, column: str) -> ApiError:
    """A number beyond its column: the real CP fails on the database (500); here 400 naming the field."""
    return ApiError(400, f"{field} is out of range for {column}")
