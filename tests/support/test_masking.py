"""support/masking.py: known secrets, JWTs, bearer credentials and secret-looking keys become ***."""
from __future__ import annotations

import copy
import json

import pytest

from support.masking import MASK, Masker

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ3bC0xIn0.c2lnbmF0dXJlLXBhcnQ"


# --- text -------------------------------------------------------------------------------------------
def test_text_replaces_known_secrets():
    masker = Masker(["hunter2-pass"])
    assert masker.text("login with hunter2-pass now") == "login with *** now"


def test_text_masks_a_secret_added_later_and_ignores_empty_or_tiny_ones():
    masker = Masker()
    masker.add(None, "", "abc", "token-1234")
    assert masker.text("abc token-1234") == "abc ***"


def test_text_replaces_the_longest_secret_first():
    masker = Masker(["abcd", "abcdefgh"])
    assert masker.text("x abcdefgh y abcd") == "x *** y ***"


def test_text_masks_jwts_without_knowing_them():
    assert Masker().text(f"token={JWT}; next") == "token=***; next"


def test_text_masks_bearer_credentials():
    out = Masker().text("Authorization: Bearer opaque.value-123/xyz= trailing")
    assert out == "Authorization: Bearer *** trailing"
    assert Masker().text("authorization: bearer abc123") == "authorization: bearer ***"


def test_text_accepts_non_strings():
    assert Masker(["12345678"]).text(12345678) == MASK


def test_text_leaves_ordinary_text_alone():
    text = "GET /wls/fd1a88a9-3a01-43bb-ae20-32618c1b3752 -> 200 (O preço desta oferta)"
    assert Masker(["changeit"]).text(text) == text


# --- data -------------------------------------------------------------------------------------------
def test_data_masks_secret_looking_keys_at_any_depth():
    value = {
        "email": "master@xpory.local",
        "password": "p",
        "user": {"accessToken": "opaque", "refresh_token": "r", "name": "Ana"},
        "items": [{"clientSecret": "s", "id": 1}, {"Authorization": "Basic xyz"}],
        "p12Password": "x", "privateKey": "k", "jwt": "j", "Cookie": "c",
    }
    masked = Masker().data(value)
    assert masked == {
        "email": "master@xpory.local",
        "password": MASK,
        "user": {"accessToken": MASK, "refresh_token": MASK, "name": "Ana"},
        "items": [{"clientSecret": MASK, "id": 1}, {"Authorization": MASK}],
        "p12Password": MASK, "privateKey": MASK, "jwt": MASK, "Cookie": MASK,
    }


def test_data_keeps_empty_secret_values_visible():
    # "no token was sent" is information, not a secret
    assert Masker().data({"token": None, "password": ""}) == {"token": None, "password": ""}


def test_data_masks_secret_values_and_jwts_under_innocent_keys():
    masked = Masker(["codex-token-3"]).data({"note": f"sent {JWT}", "echo": "codex-token-3", "n": 3, "ok": True})
    assert masked == {"note": "sent ***", "echo": MASK, "n": 3, "ok": True}


def test_data_does_not_modify_its_input():
    value = {"password": "p", "list": [{"token": "t"}]}
    before = copy.deepcopy(value)
    Masker().data(value)
    assert value == before


# --- body -------------------------------------------------------------------------------------------
def test_body_masks_json_key_by_key():
    raw = json.dumps({"email": "a@b.c", "password": "Secr3t!", "token": JWT}).encode()
    out = Masker().body(raw)
    assert json.loads(out) == {"email": "a@b.c", "password": MASK, "token": MASK}


def test_body_masks_form_fields():
    out = Masker().body("accountId=8780&token=codex-token-3&password=abc&senha=xyz&offerId=5")
    assert out == "accountId=8780&token=***&password=***&senha=***&offerId=5"


def test_body_masks_plain_text_and_keeps_accents():
    out = Masker(["changeit"]).body("Senha changeit inválida; Bearer abc.def".encode())
    assert out == "Senha *** inválida; Bearer ***"


def test_body_of_invalid_utf8_and_none():
    assert Masker().body(b"\xff\xfeok") == "\ufffd\ufffdok"
    assert Masker().body(None) == ""


def test_body_is_truncated_with_the_number_of_characters_left_out():
    out = Masker().body("y" * 2500)
    assert out == "y" * 2000 + "… (+500 caracteres)"
    assert Masker().body("z" * 30, limit=10) == "z" * 10 + "… (+20 caracteres)"
    assert Masker().body("z" * 10, limit=10) == "z" * 10


def test_body_masks_before_truncating():
    # a secret cut in half by the truncation must not leak its first half
    secret = "S" * 40
    out = Masker([secret]).body("a" * 1990 + secret)
    assert "SSSS" not in out


@pytest.mark.parametrize("raw", ['"just a json string with changeit"', "[1, 2, 3]", "42"])
def test_body_of_json_scalars_and_lists(raw):
    out = Masker(["changeit"]).body(raw)
    assert "changeit" not in out
    assert json.loads(out) == json.loads(raw.replace("changeit", MASK))
