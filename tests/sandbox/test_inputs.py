"""The input layer's parts (`sandbox/inputs.py`) as properties: the body parser refuses exactly what no column or
later read can take, naming the field, and the answer renderer turns anything into valid UTF-8 JSON."""
from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import pytest
from bad_inputs import json_values
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox.inputs import MAX_DEPTH, BadInput, bounded_int, safe_json, strict_json  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::platformdirs.api.RuntimeDirWarning")


def _storable(value) -> bool:
    """What PostgreSQL text/jsonb and bigint take (the parser's promise)."""
    if isinstance(value, str):
        return "\x00" not in value and not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -(2 ** 63) <= value < 2 ** 63
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    return all(_storable(v) for v in value)


@settings(max_examples=80, derandomize=True, database=None, deadline=None)
@given(value=json_values(max_leaves=12))
def test_the_parser_takes_exactly_the_storable_values(value):
    text = json.dumps({"field": value})
    if _storable(value):
        assert strict_json(text) == json.loads(text)
    else:
        with pytest.raises(BadInput) as refused:
            strict_json(text)
        assert refused.value.status == 400 and refused.value.message.startswith(("field", "a field name in field"))


@settings(max_examples=80, derandomize=True, database=None, deadline=None)
@given(value=json_values(max_leaves=12))
def test_the_renderer_always_gives_valid_utf8_json(value):
    rendered = safe_json({"error": "bad input", "echo": value})
    parsed = json.loads(rendered.decode("utf-8"))
    assert parsed["error"] == "bad input" and set(parsed) == {"error", "echo"}


def test_nesting_and_named_fields():
    assert strict_json('{"a":' * MAX_DEPTH + "1" + "}" * MAX_DEPTH) is not None
    for text, message in (('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), "nested deeper than 32 levels"),
                          ("[" * 100_000 + "]" * 100_000, "nested deeper than 32 levels"),
                          ('{"events":[{"payload":{"unitPrice":NaN}}]}', "events[0].payload.unitPrice must be a finite"),
                          ('{"x": 1e999}', "x must be a finite number"),
                          ('{"name":"a\\u0000b"}', "name must not contain NUL characters"),
                          ('{"email":"\\ud800"}', "email is not valid Unicode (lone surrogate)"),
                          ('{"offset": 1000000000000000000000000000000}', "offset is out of range")):
        with pytest.raises(BadInput, match=re.escape(message)):
            strict_json(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), (" +7 ", 7), ("-3", -3), ("١٢", 12), ("²", None), ("1_000", None), ("1e3", None), ("", None),
    ("9" * 19, None), ("9223372036854775807", 9223372036854775807), ("9223372036854775808", None), ("NaN", None),
])
def test_bounded_int_reads_decimal_digits_within_64_bits(text, expected):
    assert bounded_int(text) == expected
    assert bounded_int("5", 1, 4) is None and bounded_int("4", 1, 4) == 4


@given(st.text(max_size=25))
@settings(max_examples=60, derandomize=True, database=None, deadline=None)
def test_bounded_int_never_raises(text):
    number = bounded_int(text)
    assert number is None or (isinstance(number, int) and int(text.strip()) == number)
