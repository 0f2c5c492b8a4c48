"""support/tls.py with a PKI made the way xpory-trader's `scripts/setup-traefik-certs.sh` makes it
(the `openssl` command line with its default configuration): a CA without keyUsage, server
certificates with only a subjectAltName, a client .p12 from `openssl pkcs12 -export`.

Python >= 3.13 turns on VERIFY_X509_STRICT in `ssl.create_default_context`, which refuses that CA;
this machine runs 3.11, so the tests set the flag themselves to show what 3.13 would do, and check
that the suite's contexts clear that one flag and nothing else: a foreign CA and a wrong host name
are still refused, over real TLS connections."""
from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from support import tls

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="precisa do openssl (como o script do xpory-trader)")
P12_PASSWORD = "changeit"  # the script's own .p12 password


@dataclass(frozen=True)
class ScriptPki:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_p12: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _issue(folder: Path, name: str, ext: str | None) -> None:
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
             "-subj", f"/CN={name}", cwd=folder)
    extra = []
    if ext is not None:
        (folder / f"{name}.ext").write_text(ext)
        extra = ["-extfile", f"{name}.ext"]
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", f"{name}.crt", "-days", "2", *extra, cwd=folder)


def make_script_like_pki(folder: Path, ca_name: str, host: str = "localhost") -> ScriptPki:
    """The same openssl invocations as the certificate script (its CA, one server certificate whose
    only extension is subjectAltName=DNS:<host>, the client certificate and its .p12)."""
    folder.mkdir(parents=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
             "-days", "2", "-subj", f"/CN={ca_name}", cwd=folder)
    _issue(folder, host, f"subjectAltName=DNS:{host}")
    _issue(folder, "wl-client", None)
    _openssl("pkcs12", "-export", "-in", "wl-client.crt", "-inkey", "wl-client.key", "-certfile", "ca.crt",
             "-out", "wl-client.p12", "-name", "wl-client", "-password", f"pass:{P12_PASSWORD}", cwd=folder)
    return ScriptPki(folder / "ca.crt", folder / f"{host}.crt", folder / f"{host}.key", folder / "wl-client.p12")


@pytest.fixture(scope="module")
def script_pki(tmp_path_factory) -> ScriptPki:
    return make_script_like_pki(tmp_path_factory.mktemp("staging") / "certs", "XPORY-Local-CA")


def get(url: str, context: ssl.SSLContext) -> dict:
    with httpx.Client(verify=context, timeout=5) as client:
        response = client.get(url + "/.well-known/jwks.json")
    response.raise_for_status()
    return response.json()


def test_the_script_like_ca_really_lacks_key_usage(script_pki):
    ca = x509.load_pem_x509_certificate(script_pki.ca_cert.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    with pytest.raises(x509.ExtensionNotFound):
        ca.extensions.get_extension_for_class(x509.KeyUsage)


def test_strict_x509_as_python_3_13_sets_it_refuses_that_ca(script_pki, tls_server):
    server = tls_server(script_pki.server_cert, script_pki.server_key)
    strict = ssl.create_default_context(cafile=str(script_pki.ca_cert))
    strict.verify_flags |= ssl.VERIFY_X509_STRICT
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        get(server.url, strict)


def test_server_context_clears_only_the_strict_flag(script_pki):
    default = ssl.create_default_context(cafile=str(script_pki.ca_cert))
    context = tls.server_context(script_pki.ca_cert)
    assert not context.verify_flags & ssl.VERIFY_X509_STRICT
    assert context.verify_flags == default.verify_flags & ~ssl.VERIFY_X509_STRICT
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True


def test_server_context_clears_the_flag_python_3_13_turns_on(script_pki, tls_server, monkeypatch):
    real = ssl.create_default_context

    def like_3_13(*args, **kwargs):
        context = real(*args, **kwargs)
        context.verify_flags |= ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN
        return context

    monkeypatch.setattr(tls.ssl, "create_default_context", like_3_13)
    server = tls_server(script_pki.server_cert, script_pki.server_key)
    context = tls.server_context(script_pki.ca_cert)
    assert context.verify_flags & ssl.VERIFY_X509_PARTIAL_CHAIN  # the other 3.13 flag is left alone
    assert get(server.url, context)["path"] == "/.well-known/jwks.json"


def test_the_script_like_stack_works_end_to_end_with_mtls(script_pki, tls_server, tmp_path):
    server = tls_server(script_pki.server_cert, script_pki.server_key, client_ca=script_pki.ca_cert)
    context = tls.client_context(script_pki.ca_cert, script_pki.client_p12, P12_PASSWORD, tmp_path / "tls")
    assert get(server.url, context)["client_cn"] == "wl-client"


def test_a_foreign_ca_is_still_refused(script_pki, tls_server, tmp_path):
    foreign = make_script_like_pki(tmp_path / "foreign", "Foreign-CA")
    server = tls_server(foreign.server_cert, foreign.server_key)
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        get(server.url, tls.server_context(script_pki.ca_cert))


def test_a_host_name_outside_the_certificate_is_still_refused(tmp_path, tls_server):
    pki = make_script_like_pki(tmp_path / "cp", "XPORY-Local-CA", host="cp.localhost")
    server = tls_server(pki.server_cert, pki.server_key)  # reached as https://localhost:<port>
    with pytest.raises(httpx.ConnectError, match=r"Hostname mismatch|doesn't match"):
        get(server.url, tls.server_context(pki.ca_cert))
