"""support/config.py: profiles (dotenv + environment), validation messages, secrets kept out of them."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import config
from support.errors import ConfigError

SECRET_VALUES = ("p12-pass-Xyz", "admin-pass-Xyz", "trader-pass-Xyz", "buyer-token-Xyz", "qa-token-Xyz")


def load(profiles_dir: Path, environ: dict | None = None, profile: str | None = None) -> config.Config:
    return config.load(profile, environ=environ or {}, profiles_dir=profiles_dir)


def error_of(profiles_dir: Path, environ: dict, profile: str | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load(profiles_dir, environ, profile)
    return str(info.value)


# --- the three profiles -----------------------------------------------------------------------------
def test_embutido_is_the_default_profile(profiles_dir):
    cfg = load(profiles_dir)
    assert cfg.perfil == "embutido"
    assert cfg.stack == "embedded"
    assert cfg.profile_file == profiles_dir / "embutido.env"
    assert cfg.hold_ttl_seconds < 90  # the embedded profile's short timings (staging: 90 s)
    assert cfg.allow_remote_reset is False
    assert cfg.buyer_account_id == 8780
    assert cfg.sources["XPORY_HOLD_TTL_SECONDS"] == "embutido.env"


def test_embedded_profile_refuses_a_ca_file_from_the_environment(profiles_dir, full_environ, tmp_path):
    """The embedded stack makes its own CA: a XPORY_CA_FILE given anyway would be silently replaced."""
    message = error_of(profiles_dir, {"XPORY_CA_FILE": str(tmp_path / "ca.crt")})
    assert message.startswith("Configuração que não se aplica ao perfil embutido (XPORY_STACK=embedded): "
                              "XPORY_CA_FILE (de ambiente).")
    assert "A stack embutida gera a própria CA" in message and "XPORY_PERFIL=externo" in message
    assert "XPORY_CA_FILE" in error_of(profiles_dir, {"XPORY_CA_FILE": "x", "XPORY_PERFIL": "embutido"})
    (profiles_dir / "embutido.env").write_text((profiles_dir / "embutido.env").read_text()
                                               + "XPORY_CP_URL=https://cp.localhost\n")
    from_file = error_of(profiles_dir, {})
    assert "XPORY_CP_URL (de embutido.env)" in from_file and "gera a própria CA" not in from_file
    assert load(profiles_dir, full_environ(XPORY_PERFIL="externo")).ca_file.name == "ca.crt"  # other stacks need it


def test_embedded_profile_does_not_require_endpoints(profiles_dir):
    cfg = load(profiles_dir)
    assert "XPORY_CP_ADMIN_API" not in cfg.values
    with pytest.raises(ConfigError, match=r"XPORY_CP_ADMIN_API.*Exemplo: XPORY_CP_ADMIN_API=https://cp\.localhost/admin/api"):
        cfg.cp_admin_api  # noqa: B018 - the attribute access is what is tested


def test_profile_chosen_by_xpory_perfil(profiles_dir):
    env = {"XPORY_PERFIL": "staging-local", "XPORY_CLIENT_P12_PASSWORD": "a-pw-1", "XPORY_ADMIN_PASSWORD": "a-pw-2",
           "XPORY_TRADER_PASSWORD": "a-pw-3", "XPORY_BUYER_TOKEN": "a-tok-1", "XPORY_QA_TOKEN": "a-tok-2"}
    cfg = load(profiles_dir, env)
    assert cfg.perfil == "staging-local"
    assert cfg.stack == "compose"
    assert cfg.cp_admin_api == "https://cp.localhost/admin/api"
    assert cfg.cp_url == "https://cp.localhost"
    assert cfg.admin_ui_url == "https://cp.localhost/admin/"  # the trailing slash of /admin/ is kept
    assert cfg.exporter_url == "http://localhost:8081"
    assert cfg.importer_url == "http://localhost:8090"
    assert cfg.cp_dsn.endswith("@127.0.0.1:5433/xpory_cp")
    assert cfg.hold_ttl_seconds == 90.0
    assert cfg.compose_up is False
    assert cfg.ca_file == Path("/home/andre/Trabalho/XporY/repos/github/xpory-trader/traefik/certs/ca.crt")


def test_explicit_profile_argument_wins_over_xpory_perfil(profiles_dir):
    cfg = load(profiles_dir, {"XPORY_PERFIL": "externo"}, profile="embutido")
    assert cfg.perfil == "embutido"


def test_staging_local_without_its_secrets_names_them_and_an_example(profiles_dir):
    message = error_of(profiles_dir, {"XPORY_PERFIL": "staging-local"})
    for name in ("XPORY_CLIENT_P12_PASSWORD", "XPORY_ADMIN_PASSWORD", "XPORY_TRADER_PASSWORD",
                 "XPORY_BUYER_TOKEN", "XPORY_QA_TOKEN"):
        assert name in message
    assert "Configuração ausente" in message
    assert "exemplo: XPORY_CLIENT_P12_PASSWORD=changeit" in message
    assert "XPORY_CP_ADMIN_API" not in message  # the profile file gives it


def test_externo_takes_everything_from_the_environment(profiles_dir, full_environ):
    cfg = load(profiles_dir, full_environ(XPORY_PERFIL="externo", XPORY_CP_ADMIN_API="https://cp.example.test/admin/api/"))
    assert cfg.stack == "external"
    assert cfg.cp_admin_api == "https://cp.example.test/admin/api"  # trailing slash dropped
    assert cfg.sources["XPORY_CP_ADMIN_API"] == "ambiente"
    assert cfg.sources["XPORY_HOLD_TTL_SECONDS"] == "externo.env"
    assert set(cfg.secrets()) == set(SECRET_VALUES)


def test_externo_without_urls_fails_naming_the_first_missing_setting(profiles_dir, full_environ):
    env = full_environ(XPORY_PERFIL="externo")
    del env["XPORY_CP_ADMIN_API"], env["XPORY_IMPORTER_DSN"]
    message = error_of(profiles_dir, env)
    assert "XPORY_CP_ADMIN_API" in message and "XPORY_IMPORTER_DSN" in message
    assert "exemplo: XPORY_CP_ADMIN_API=https://cp.localhost/admin/api" in message
    for secret in SECRET_VALUES:
        assert secret not in message


# --- precedence: file < .local.env < environment ----------------------------------------------------
def test_environment_overrides_the_profile_file(profiles_dir):
    cfg = load(profiles_dir, {"XPORY_HOLD_TTL_SECONDS": "7.5", "XPORY_ALLOW_REMOTE_RESET": "true"})
    assert cfg.hold_ttl_seconds == 7.5
    assert cfg.allow_remote_reset is True
    assert cfg.sources["XPORY_HOLD_TTL_SECONDS"] == "ambiente"


def test_local_env_file_overrides_the_profile_and_the_environment_overrides_both(profiles_dir):
    (profiles_dir / "embutido.local.env").write_text(
        "XPORY_HOLD_TTL_SECONDS=4\nXPORY_ADMIN_PASSWORD=from-local-file\n", encoding="utf-8")
    cfg = load(profiles_dir, {"XPORY_ADMIN_PASSWORD": "from-environment"})
    assert cfg.hold_ttl_seconds == 4.0
    assert cfg.sources["XPORY_HOLD_TTL_SECONDS"] == "embutido.local.env"
    assert cfg.admin_password == "from-environment"
    assert cfg.sources["XPORY_ADMIN_PASSWORD"] == "ambiente"


def test_non_xpory_environment_variables_are_ignored(profiles_dir):
    cfg = load(profiles_dir, {"HOME": "/root", "PATH": "/usr/bin", "HOLD_TTL_SECONDS": "99"})
    assert cfg.hold_ttl_seconds != 99.0
    assert cfg.sources["XPORY_HOLD_TTL_SECONDS"] == "embutido.env"


def test_an_empty_value_counts_as_absent(profiles_dir):
    cfg = load(profiles_dir, {"XPORY_BUYER_TOKEN": "  "})
    assert "XPORY_BUYER_TOKEN" not in cfg.values


def test_real_process_environment_is_used_when_environ_is_not_given(profiles_dir, monkeypatch):
    for key in [k for k in os.environ if k.startswith("XPORY_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("XPORY_HOLD_TTL_SECONDS", "3")
    cfg = config.load(profiles_dir=profiles_dir)
    assert cfg.hold_ttl_seconds == 3.0


# --- malformed settings: the variable, the bad value, an example -------------------------------------
@pytest.mark.parametrize(("name", "raw", "why", "example"), [
    ("XPORY_BUYER_ACCOUNT_ID", "87x80", "não é um número inteiro", "8780"),
    ("XPORY_SLOWMO_MS", "1.5", "não é um número inteiro", "0"),
    ("XPORY_HOLD_TTL_SECONDS", "noventa", "não é um número", "90"),
    ("XPORY_HTTP_TIMEOUT_SECONDS", "-1", "não pode ser negativo", "30"),
    ("XPORY_ALLOW_REMOTE_RESET", "talvez", "use true ou false", "false"),
    ("XPORY_EXPORTER_WL_ID", "fd1a88a9-nope", "não é um UUID", "fd1a88a9-3a01-43bb-ae20-32618c1b3752"),
    ("XPORY_EXPORTER_URL", "localhost:8081", "não é uma URL http(s) completa", "http://localhost:8081"),
    ("XPORY_CP_URL", "ftp://cp.localhost", "não é uma URL http(s) completa", "https://cp.localhost"),
    ("XPORY_EXPORTER_DSN", "mysql://root@127.0.0.1/wl-01", "não é um DSN", "postgresql://postgres:postgres@127.0.0.1:5432/wl-01"),
    ("XPORY_IMPORTER_DSN", "postgresql://127.0.0.1:5432", "não é um DSN", "postgresql://postgres:postgres@127.0.0.1:5432/wl-03"),
    ("XPORY_STACK", "docker", "valores aceitos: embedded, compose, external", "embedded"),
])
def test_malformed_setting_names_variable_value_and_example(profiles_dir, name, raw, why, example):
    message = error_of(profiles_dir, {name: raw})
    assert message.startswith(f"Configuração inválida: {name}={raw!r}")
    assert why in message
    assert message.endswith(f"Exemplo: {name}={example}")


@pytest.mark.parametrize(("raw", "expected"), [
    ("true", True), ("TRUE", True), ("1", True), ("sim", True), ("on", True),
    ("false", False), ("0", False), ("não", False), ("off", False), ("", False),
])
def test_bool_spellings(profiles_dir, raw, expected):
    assert load(profiles_dir, {"XPORY_HEADED": raw}).headed is expected


def test_malformed_value_in_the_profile_file_is_reported_too(profiles_dir):
    (profiles_dir / "embutido.env").write_text(
        (profiles_dir / "embutido.env").read_text() + "XPORY_QA_ENTITY_ID=abc\n", encoding="utf-8")
    assert "XPORY_QA_ENTITY_ID='abc'" in error_of(profiles_dir, {})


def test_unknown_variable_is_refused_by_name(profiles_dir):
    message = error_of(profiles_dir, {"XPORY_HOLD_TTL": "5", "XPORY_ADMIN_PASWORD": "typo-secret-value"})
    assert "Configuração desconhecida: XPORY_ADMIN_PASWORD, XPORY_HOLD_TTL" in message
    assert "typo-secret-value" not in message


def test_unknown_variable_in_a_local_env_file_is_refused(profiles_dir):
    (profiles_dir / "embutido.local.env").write_text("XPORY_NOT_A_SETTING=1\n", encoding="utf-8")
    assert "XPORY_NOT_A_SETTING" in error_of(profiles_dir, {})


def test_unknown_profile_names_xpory_perfil_and_an_example(profiles_dir):
    message = error_of(profiles_dir, {"XPORY_PERFIL": "producao"})
    assert "XPORY_PERFIL='producao'" in message
    assert "embutido, embutido-b, staging-local, externo" in message
    assert "Exemplo: XPORY_PERFIL=embutido" in message


def test_missing_profile_file_is_reported_with_its_path(tmp_path):
    message = error_of(tmp_path, {})
    assert "embutido" in message and str(tmp_path / "embutido.env") in message


def test_profile_without_xpory_stack_names_it(tmp_path):
    (tmp_path / "embutido.env").write_text("XPORY_RUNTIME_DIR=.xpory\n", encoding="utf-8")
    message = error_of(tmp_path, {})
    assert "XPORY_STACK" in message and "Exemplo: XPORY_STACK=embedded" in message


# --- secrets never appear in messages --------------------------------------------------------------
def test_malformed_dsn_does_not_show_its_password(profiles_dir):
    message = error_of(profiles_dir, {"XPORY_CP_DSN": "postgresql://xpory_cp:Sup3rS3cr3t@127.0.0.1:5433"})
    assert "XPORY_CP_DSN=" in message and "não é um DSN" in message
    assert "Sup3rS3cr3t" not in message
    assert "***" in message
    assert "127.0.0.1:5433" in message  # the rest of the value still helps


def test_malformed_dsn_password_with_an_at_sign_is_hidden_whole(profiles_dir):
    message = error_of(profiles_dir, {"XPORY_EXPORTER_DSN": "postgresql://pg:Pa55@w0rd@127.0.0.1:5432"})
    assert "Pa55" not in message and "w0rd" not in message


def test_malformed_url_with_credentials_is_hidden(profiles_dir):
    message = error_of(profiles_dir, {"XPORY_EXPORTER_URL": "ftp://user:Url5ecret@localhost:8081"})
    assert "XPORY_EXPORTER_URL=" in message and "Url5ecret" not in message


def test_malformed_dsn_password_in_query_is_hidden(profiles_dir):
    message = error_of(profiles_dir, {"XPORY_CP_DSN": "postgres:///?user=u&password=Qu3ryS3cret"})
    assert "Qu3ryS3cret" not in message


def test_secret_values_never_reach_the_message_of_another_bad_setting(profiles_dir, full_environ):
    env = full_environ(XPORY_PERFIL="externo", XPORY_QA_ACCOUNT_ID="oops")
    message = error_of(profiles_dir, env)
    assert "XPORY_QA_ACCOUNT_ID" in message
    for secret in SECRET_VALUES:
        assert secret not in message


def test_secrets_lists_the_secret_values_for_the_masker(profiles_dir):
    cfg = load(profiles_dir, {"XPORY_BUYER_TOKEN": "tok-abc-123"})
    assert "tok-abc-123" in cfg.secrets()
    assert "changeit" in cfg.secrets()
    assert "master@xpory.local" not in cfg.secrets()


# --- Config helpers ---------------------------------------------------------------------------------
def test_with_values_parses_strings_and_validates_them(profiles_dir):
    cfg = load(profiles_dir).with_values(XPORY_EXPORTER_URL="http://127.0.0.1:9999/", XPORY_HOLD_TTL_SECONDS=3.0)
    assert cfg.exporter_url == "http://127.0.0.1:9999"
    assert cfg.hold_ttl_seconds == 3.0
    with pytest.raises(ConfigError, match="XPORY_EXPORTER_URL"):
        cfg.with_values(XPORY_EXPORTER_URL="not a url")


def test_item_access_and_unknown_attribute(profiles_dir):
    cfg = load(profiles_dir)
    assert cfg["XPORY_BUYER_ACCOUNT_ID"] == 8780
    with pytest.raises(AttributeError):
        cfg.no_such_setting  # noqa: B018


def test_relative_paths_resolve_against_the_repository_root(profiles_dir):
    cfg = load(profiles_dir, {"XPORY_RUNTIME_DIR": "/abs/runtime"})
    assert cfg.path("XPORY_RUNTIME_DIR") == Path("/abs/runtime")
    assert load(profiles_dir).path("XPORY_REPORTS_DIR") == config.ROOT / "reports"


def test_every_setting_in_the_repository_profiles_is_declared():
    for name in config.PROFILES:
        from dotenv import dotenv_values

        for key in dotenv_values(config.PROFILES_DIR / f"{name}.env"):
            assert key in config.SPEC_BY_NAME, f"{name}.env: {key}"


# --- is_loopback -----------------------------------------------------------------------------------
@pytest.mark.parametrize("host", [None, "", "localhost", "cp.localhost", "wl-exporter.localhost",
                                  "127.0.0.1", "127.0.0.2", "::1"])
def test_is_loopback_true(host):
    assert config.is_loopback(host) is True


@pytest.mark.parametrize("host", ["10.0.0.5", "192.168.1.10", "0.0.0.0", "db.example.com",
                                  "localhost.example.com", "notlocalhost", "::ffff:10.0.0.1", "2001:db8::1"])
def test_is_loopback_false(host):
    assert config.is_loopback(host) is False
