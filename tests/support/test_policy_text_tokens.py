"""support/export_policy.py, support/text.py and support/tokens.py."""
from __future__ import annotations

import datetime as dt
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from support.export_policy import predicted_total
from support.text import accent_insensitive_pattern, contains_words, fold, same_words
from support.tokens import verify_with_jwks

# --- export_policy.predicted_total --------------------------------------------------------------------
CATEGORIES = [
    {"categoryId": "15", "name": "Alimentação", "activeCount": 61},
    {"categoryId": "20", "name": "Serviços", "activeCount": "30"},  # a count sent as a string
    {"categoryId": "1029401", "name": "Vazia", "activeCount": 0},
    {"categoryId": "33", "name": "Outros", "activeCount": 9},
]
ENTITIES = [
    {"entityId": "7739330", "name": "A3Negocios", "activeOffersCount": 3},
    {"entityId": "500", "name": "Loja", "activeOffersCount": 90},
    {"entityId": "501", "name": "Outra", "activeOffersCount": 7},
]
ALL = 61 + 30 + 0 + 9


def policy(**fields) -> dict:
    return {"enabled": True, "min_created_at": "2000-01-01T00:00:00Z", "include_categories": [],
            "exclude_categories": [], "entity_allowlist": [], "entity_blocklist": [], **fields}


@pytest.mark.parametrize(("given", "expected"), [
    (None, ALL),
    ({}, ALL),
    (policy(), ALL),
    (policy(enabled=False, include_categories=["15"]), ALL),  # disabled: filters ignored
    (policy(include_categories=["15"]), 61),
    (policy(include_categories=["15", "33"]), 70),
    (policy(include_categories=["1029401"]), 0),
    (policy(include_categories=["404"]), 0),
    (policy(exclude_categories=["15"]), ALL - 61),
    (policy(include_categories=["15", "20"], exclude_categories=["15"]), 30),  # exclude always removes
    (policy(entity_allowlist=["7739330"]), 3),
    (policy(entity_allowlist=["7739330", "501"]), 10),
    (policy(entity_blocklist=["500"]), 3 + 7),
    (policy(entity_allowlist=["500", "501"], entity_blocklist=["500"]), 7),  # blocklist beats allowlist
    (policy(include_categories=None, entity_blocklist=None), ALL),
])
def test_predicted_total(given, expected):
    assert predicted_total(given, CATEGORIES, ENTITIES) == expected


def test_predicted_total_refuses_two_dimensions_at_once():
    with pytest.raises(ValueError, match="uma dimensão por vez"):
        predicted_total(policy(include_categories=["15"], entity_allowlist=["500"]), CATEGORIES, ENTITIES)


def test_predicted_total_of_empty_snapshots_is_zero():
    assert predicted_total(None, [], []) == 0
    assert predicted_total(policy(exclude_categories=["15"]), [], []) == 0


# --- text -----------------------------------------------------------------------------------------------
def test_fold_removes_accents_case_and_extra_spaces():
    assert fold("  O  Preço\tdesta\nOFERTA ") == "o preco desta oferta"
    assert fold("Alimentação") == "alimentacao"
    assert fold(None) == ""


def test_same_words_ignores_accents_case_and_spacing():
    assert same_words("O preço desta oferta foi atualizado.", "O preco desta oferta foi atualizado.")
    assert same_words("ALIMENTAÇÃO", "alimentacao")
    assert not same_words("O preço desta oferta", "O preço dessa oferta")
    assert not same_words("Alimentação e bebidas", "Alimentação")


def test_contains_words():
    assert contains_words("Modal: O preço desta oferta foi atualizado. Atualize", "o preco desta oferta")
    assert not contains_words("O preço", "O preço desta oferta")


@pytest.mark.parametrize(("expected", "page_text"), [
    ("O preco desta oferta", "O preço desta oferta foi atualizado."),
    ("O preço desta oferta", "O preco desta oferta foi atualizado."),
    ("O preco desta oferta", "o  PREÇO\ndesta oferta"),
    ("Atualize a pagina e tente novamente.", "Atualize a página e tente novamente."),
    ("Saldo X$ insuficiente", "Saldo X$ insuficiente"),  # regex metacharacters are literal
    ("Alimentacao", "Alimentação"),
])
def test_accent_insensitive_pattern_matches(expected, page_text):
    assert accent_insensitive_pattern(expected).search(page_text)


@pytest.mark.parametrize(("expected", "page_text"), [
    ("O preco desta oferta", "O prego desta oferta"),
    ("Saldo X$ insuficiente", "Saldo XX insuficiente"),
    ("preço", "precio"),
])
def test_accent_insensitive_pattern_does_not_match_other_words(expected, page_text):
    assert not accent_insensitive_pattern(expected).search(page_text)


@pytest.mark.parametrize("text", [
    "O preço desta oferta…",  # ellipsis
    "1º lugar, 2ª via",  # ordinal indicators
    "Straße",
    "ﬁnal",  # ligature
])
def test_accent_insensitive_pattern_matches_its_own_text(text):
    assert accent_insensitive_pattern(text).search(text)


# --- tokens.verify_with_jwks ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks(signing_key) -> dict:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys = []
    for kid, key in (("cp-key-1", signing_key), ("cp-key-0", other)):
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
    return {"keys": keys}


def make_token(key, kid: str = "cp-key-1", algorithm: str = "RS256", **claims) -> str:
    now = dt.datetime.now(dt.UTC)
    body = {"sub": "importer-wl", "aud": "exporter-wl", "iat": now, "exp": now + dt.timedelta(minutes=5),
            "scopes": ["offers:sync"], **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm=algorithm,
                      headers={"kid": kid})


def test_a_valid_token_gives_header_and_claims(signing_key, jwks):
    verified = verify_with_jwks(make_token(signing_key), jwks, audience="exporter-wl")
    assert verified.header["kid"] == "cp-key-1" and verified.header["alg"] == "RS256"
    assert verified.claims["sub"] == "importer-wl"
    assert verified.claims["scopes"] == ["offers:sync"]


def test_an_unknown_kid_is_reported_with_the_published_kids(signing_key, jwks):
    with pytest.raises(AssertionError) as info:
        verify_with_jwks(make_token(signing_key, kid="rotated-away"), jwks, audience="exporter-wl")
    assert "'rotated-away'" in str(info.value) and "['cp-key-0', 'cp-key-1']" in str(info.value)


def test_a_token_signed_with_another_key_of_the_jwks_is_refused(signing_key, jwks):
    # signed by cp-key-1's private key but claims to be cp-key-0
    with pytest.raises(jwt.InvalidSignatureError):
        verify_with_jwks(make_token(signing_key, kid="cp-key-0"), jwks, audience="exporter-wl")


def test_a_wrong_audience_is_refused(signing_key, jwks):
    with pytest.raises(jwt.InvalidAudienceError):
        verify_with_jwks(make_token(signing_key), jwks, audience="some-other-wl")


def test_an_expired_token_is_refused(signing_key, jwks):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with pytest.raises(jwt.ExpiredSignatureError):
        verify_with_jwks(make_token(signing_key, iat=past - dt.timedelta(minutes=5), exp=past), jwks,
                         audience="exporter-wl")


@pytest.mark.parametrize("missing", ["exp", "sub", "iat"])
def test_required_claims(signing_key, jwks, missing):
    with pytest.raises(jwt.MissingRequiredClaimError, match=missing):
        verify_with_jwks(make_token(signing_key, **{missing: None}), jwks, audience="exporter-wl")


def test_an_hs256_token_is_refused_even_with_a_known_kid(jwks):
    token = make_token("a-shared-secret-of-at-least-32-bytes!!", algorithm="HS256")
    with pytest.raises(jwt.InvalidTokenError):
        verify_with_jwks(token, jwks, audience="exporter-wl")
