"""A stack that is down, or a profile with a wrong URL or certificate, stops behave before any scenario
with one clear message naming the setting, exit code 2, within seconds — even with the `externo`
profile's 60 s startup deadline (the stack should already be up: nothing to wait for)."""
from __future__ import annotations

import pytest
from gatekit import P12_PASSWORD, REPO, behave, clean_environ, free_port, make_authority, run

BUDGET_SECONDS = 10  # behave's own start is ~1-2 s on this machine; the deadline of the profile is 60 s
SECRETS = {"XPORY_ADMIN_PASSWORD": "adm-Gate-Pw-1177", "XPORY_TRADER_PASSWORD": "trd-Gate-Pw-1177",
           "XPORY_BUYER_TOKEN": "buyer-Gate-Tk-1177", "XPORY_QA_TOKEN": "qa-Gate-Tk-1177"}
DB_PASSWORD = "db-Gate-Pw-1177"


def externo(tmp_path, **overrides: str) -> dict[str, str]:
    """A complete `externo` profile where everything points at closed loopback ports."""
    closed = free_port()
    down = f"127.0.0.1:{closed}"
    authority = make_authority(tmp_path / "pki", "Perfil-CA")
    env = {
        "XPORY_PERFIL": "externo", "XPORY_RUNTIME_DIR": str(tmp_path / "runtime"),
        "XPORY_REPORTS_DIR": str(tmp_path / "reports"),
        "XPORY_CP_ADMIN_API": f"https://{down}/admin/api", "XPORY_CP_URL": f"https://{down}",
        "XPORY_ADMIN_UI_URL": f"https://{down}/admin/", "XPORY_EXPORTER_URL": f"http://{down}",
        "XPORY_IMPORTER_URL": f"http://{down}", "XPORY_STOREFRONT_URL": f"http://{down}",
        "XPORY_EXPORTER_GATEWAY_URL": f"http://{down}", "XPORY_IMPORTER_GATEWAY_URL": f"http://{down}",
        "XPORY_CA_FILE": str(authority.ca_cert), "XPORY_CLIENT_P12": str(authority.client_p12),
        "XPORY_CLIENT_P12_PASSWORD": P12_PASSWORD,
        "XPORY_CP_DSN": f"postgresql://xpory_cp:{DB_PASSWORD}@{down}/xpory_cp",
        "XPORY_EXPORTER_DSN": f"postgresql://postgres:{DB_PASSWORD}@{down}/wl-01",
        "XPORY_IMPORTER_DSN": f"postgresql://postgres:{DB_PASSWORD}@{down}/wl-03",
        "XPORY_EXPORTER_WL_ID": "fd1a88a9-3a01-43bb-ae20-32618c1b3752",
        "XPORY_IMPORTER_WL_ID": "2a6f8e2c-874c-4476-aac3-0d535fb52ac7",
        "XPORY_BUYER_ACCOUNT_ID": "8780", "XPORY_BUYER_XBALANCE_ID": "8772",
        "XPORY_QA_ACCOUNT_ID": "90805", "XPORY_QA_ENTITY_ID": "90803",
        **SECRETS, **overrides,
    }
    return clean_environ(**env)


def assert_one_clear_setup_error(ran, *fragments: str) -> str:
    assert ran.code == 2, ran.output
    assert ran.seconds < BUDGET_SECONDS, f"levou {ran.seconds:.1f}s"
    message = ran.stderr.split("A suíte não pôde rodar:", 1)
    assert len(message) == 2, ran.output
    for fragment in fragments:
        assert fragment in message[1], message[1]
    assert ran.output.count("A suíte não pôde rodar:") == 1
    # no scenario ran: no step, no summary, no report
    assert "passed" not in ran.stdout and "failed" not in ran.stdout and "Cenário:" not in ran.stdout
    for secret in (*SECRETS.values(), DB_PASSWORD, P12_PASSWORD):
        assert secret not in ran.output
    return message[1]


def test_a_stack_that_is_down_is_one_error_naming_the_setting(tmp_path):
    env = externo(tmp_path)
    port = env["XPORY_CP_URL"].rsplit(":", 1)[1]
    ran = behave(cwd=REPO, env=env)
    assert_one_clear_setup_error(ran, "API admin do CP", f"https://127.0.0.1:{port}/", "(XPORY_CP_ADMIN_API)",
                                 "nada escuta nesse endereço")
    assert not (tmp_path / "reports" / "junit").exists()


def test_a_wrong_url_names_that_url_setting(tmp_path, tls_server):
    authority = make_authority(tmp_path / "ok", "Perfil-CA")
    cp = tls_server(authority.server_cert, authority.server_key).port
    env = externo(tmp_path, XPORY_CA_FILE=str(authority.ca_cert), XPORY_CLIENT_P12=str(authority.client_p12),
                  XPORY_CP_ADMIN_API=f"https://localhost:{cp}/admin/api", XPORY_CP_URL=f"https://localhost:{cp}")
    ran = behave(cwd=REPO, env=env)
    assert_one_clear_setup_error(ran, "WL exportador", "(XPORY_EXPORTER_URL)", "nada escuta nesse endereço")


def test_a_ca_file_that_is_not_a_certificate_names_xpory_ca_file(tmp_path):
    not_a_ca = tmp_path / "ca.crt"
    not_a_ca.write_text("isto não é um certificado\n")
    ran = behave(cwd=REPO, env=externo(tmp_path, XPORY_CA_FILE=str(not_a_ca)))
    assert_one_clear_setup_error(ran, f"XPORY_CA_FILE={not_a_ca}", "não é um certificado PEM")


def test_a_missing_ca_file_names_xpory_ca_file(tmp_path):
    ran = behave(cwd=REPO, env=externo(tmp_path, XPORY_CA_FILE=str(tmp_path / "nao-existe.crt")))
    assert_one_clear_setup_error(ran, "Arquivo não encontrado: XPORY_CA_FILE=")


def test_a_stack_whose_certificate_comes_from_another_ca_names_xpory_ca_file(tmp_path, tls_server):
    other = make_authority(tmp_path / "outra", "Outra-CA")
    cp = tls_server(other.server_cert, other.server_key).port
    env = externo(tmp_path, XPORY_CP_ADMIN_API=f"https://localhost:{cp}/admin/api",
                  XPORY_CP_URL=f"https://localhost:{cp}")
    ran = behave(cwd=REPO, env=env)
    assert_one_clear_setup_error(ran, "API admin do CP", "(XPORY_CP_ADMIN_API)",
                                 "o certificado do servidor não é da CA configurada (XPORY_CA_FILE)")


def test_a_client_certificate_the_cp_refuses_names_xpory_client_p12(tmp_path, tls_server):
    stack = make_authority(tmp_path / "stack", "Stack-CA")
    intruder = make_authority(tmp_path / "intrusa", "Intrusa-CA")
    admin = tls_server(stack.server_cert, stack.server_key).port
    mtls = tls_server(stack.server_cert, stack.server_key, client_ca=stack.ca_cert).port
    env = externo(tmp_path, XPORY_CA_FILE=str(stack.ca_cert), XPORY_CLIENT_P12=str(intruder.client_p12),
                  XPORY_CP_ADMIN_API=f"https://localhost:{admin}/admin/api", XPORY_CP_URL=f"https://localhost:{mtls}")
    ran = behave(cwd=REPO, env=env)
    assert_one_clear_setup_error(ran, "CP (mTLS)", "(XPORY_CP_URL)", "recusou o certificado cliente (XPORY_CLIENT_P12")


@pytest.mark.parametrize("name, value, shown", [
    ("XPORY_CP_URL", "cp.localhost", "não é uma URL http(s) completa"),
    ("XPORY_HTTP_TIMEOUT_SECONDS", "trinta", "não é um número"),
])
def test_a_malformed_setting_is_named_with_an_example(tmp_path, name, value, shown):
    ran = behave(cwd=REPO, env=externo(tmp_path, **{name: value}))
    assert_one_clear_setup_error(ran, f"Configuração inválida: {name}=", shown, "Exemplo:")


def test_the_ci_gate_says_the_suite_could_not_run(tmp_path):
    ran = run(["bash", str(REPO / ".ci" / "portao")], cwd=REPO, env=externo(tmp_path))
    assert ran.code == 2, ran.output
    assert ran.stdout.rstrip().endswith("(código 2)")
    verdict = ran.stdout.rstrip().splitlines()[-1]
    assert verdict.startswith("== portão: a suíte não pôde rodar: API admin do CP não respondeu em https://127.0.0.1:")
    assert "(XPORY_CP_ADMIN_API)" in verdict and "(XPORY_CP_ADMIN_API)" in ran.stderr
    for secret in (*SECRETS.values(), DB_PASSWORD, P12_PASSWORD):
        assert secret not in ran.output
