"""support/tls.py against real TLS servers on loopback (with the sandbox's PKI, sandbox/pki.py): verification
always on, mTLS with the generated client .p12, clear errors for a wrong .p12 password."""
from __future__ import annotations

import socket
import ssl
import stat

import httpx
import pytest
from cryptography import x509

from support import tls
from support.errors import ConfigError, StackError
from support.http import Api, HttpLog
from support.masking import Masker
from support.wait import until


def load_cert(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def tls_get(context: ssl.SSLContext, port: int, host: str = "localhost") -> bytes:
    """A raw HTTPS GET with `context`; returns the response bytes (raises ssl errors as they are)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=host) as conn:
            conn.sendall(f"GET /hello HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            chunks = []
            while chunk := conn.recv(4096):
                chunks.append(chunk)
            return b"".join(chunks)


# --- server_context: verification on, against a real TLS server ------------------------------------
def test_server_context_trusts_a_server_of_the_profile_ca(embedded_pki, tls_server):
    server = tls_server(embedded_pki.server_cert, embedded_pki.server_key)
    context = tls.server_context(embedded_pki.ca_cert)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True
    assert b"200 OK" in tls_get(context, server.port)
    assert b"200 OK" in tls_get(context, server.port, host="cp.localhost")
    with httpx.Client(verify=context) as client:
        assert client.get(server.url + "/hello").json()["path"] == "/hello"


def test_server_context_refuses_a_server_of_another_ca(embedded_pki, foreign_pki, tls_server):
    server = tls_server(foreign_pki.server_cert, foreign_pki.server_key)
    with pytest.raises(ssl.SSLCertVerificationError, match="CERTIFICATE_VERIFY_FAILED"):
        tls_get(tls.server_context(embedded_pki.ca_cert), server.port)


def test_server_context_refuses_a_host_name_outside_the_certificate(embedded_pki, tls_server):
    server = tls_server(embedded_pki.server_cert, embedded_pki.server_key)
    with pytest.raises(ssl.SSLCertVerificationError, match="CERTIFICATE_VERIFY_FAILED"):
        tls_get(tls.server_context(embedded_pki.ca_cert), server.port, host="evil.example.com")


def test_api_through_a_server_of_another_ca_names_xpory_ca_file(embedded_pki, foreign_pki, tls_server):
    server = tls_server(foreign_pki.server_cert, foreign_pki.server_key)
    api = Api(server.url, HttpLog(Masker()), verify=tls.server_context(embedded_pki.ca_cert),
              timeout=5, setting="XPORY_CP_URL")
    with pytest.raises(StackError) as info:
        api.get("/hello")
    api.close()
    assert "XPORY_CP_URL" in str(info.value) and "XPORY_CA_FILE" in str(info.value)


def test_server_context_missing_or_non_pem_ca_file(tmp_path):
    with pytest.raises(ConfigError, match=r"XPORY_CA_FILE=.*nope\.crt"):
        tls.server_context(tmp_path / "nope.crt")
    junk = tmp_path / "junk.crt"
    junk.write_text("not a certificate")
    with pytest.raises(ConfigError, match="não é um certificado PEM"):
        tls.server_context(junk)


# --- client_context: mTLS ---------------------------------------------------------------------------
def test_mtls_server_accepts_the_p12_client(embedded_pki, p12_password, tls_server, tmp_path):
    server = tls_server(embedded_pki.server_cert, embedded_pki.server_key, client_ca=embedded_pki.ca_cert)
    context = tls.client_context(embedded_pki.ca_cert, embedded_pki.client_p12, p12_password, tmp_path / "tls")
    with httpx.Client(verify=context) as client:
        answer = client.get(server.url + "/peer")
    assert answer.status_code == 200
    assert answer.json()["client_cn"] == "wl-client"


def test_mtls_server_refuses_a_client_without_certificate(embedded_pki, tls_server):
    server = tls_server(embedded_pki.server_cert, embedded_pki.server_key, client_ca=embedded_pki.ca_cert)
    # TLS 1.3: the client learns of the refusal as an alert or as a closed connection, whichever comes first
    with pytest.raises((ssl.SSLError, ConnectionError)):
        tls_get(tls.server_context(embedded_pki.ca_cert), server.port)
    until(lambda: server.handshake_errors, bool, timeout=2, describe="the server refused the handshake")


def test_mtls_server_refuses_a_client_of_another_ca(embedded_pki, foreign_pki, p12_password, tls_server, tmp_path):
    server = tls_server(embedded_pki.server_cert, embedded_pki.server_key, client_ca=embedded_pki.ca_cert)
    context = tls.client_context(embedded_pki.ca_cert, foreign_pki.client_p12, p12_password, tmp_path / "tls")
    with pytest.raises((ssl.SSLError, ConnectionError)):
        tls_get(context, server.port)
    until(lambda: server.handshake_errors, bool, timeout=2, describe="the server refused the handshake")


def test_api_without_client_certificate_names_xpory_client_p12(embedded_pki, tls_server):
    server = tls_server(embedded_pki.server_cert, embedded_pki.server_key, client_ca=embedded_pki.ca_cert)
    log = HttpLog(Masker())
    api = Api(server.url, log, verify=tls.server_context(embedded_pki.ca_cert), timeout=5, setting="XPORY_CP_URL")
    with pytest.raises(StackError) as info:
        api.get("/jwks")
    api.close()
    assert "XPORY_CP_URL" in str(info.value)
    assert "XPORY_CLIENT_P12" in str(info.value)
    assert log.calls[-1].status is None and log.calls[-1].error


# --- p12_to_pem ---------------------------------------------------------------------------------------
def test_p12_to_pem_writes_private_files_0600(embedded_pki, p12_password, tmp_path):
    out = tmp_path / "tls"
    cert_path, key_path = tls.p12_to_pem(embedded_pki.client_p12, p12_password, out)
    for path in (cert_path, key_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert b"PRIVATE KEY" in key_path.read_bytes()
    chain = x509.load_pem_x509_certificates(cert_path.read_bytes())
    assert [c.subject.rfc4514_string() for c in chain] == ["CN=wl-client", "CN=XPORY-Local-CA"]


def test_p12_to_pem_with_a_wrong_password_names_the_setting_not_the_password(embedded_pki, tmp_path):
    with pytest.raises(ConfigError) as info:
        tls.p12_to_pem(embedded_pki.client_p12, "Wr0ngPassw0rd", tmp_path / "tls")
    message = str(info.value)
    assert "XPORY_CLIENT_P12_PASSWORD" in message
    assert str(embedded_pki.client_p12) in message
    assert "Wr0ngPassw0rd" not in message
    assert not (tmp_path / "tls").exists() or not any((tmp_path / "tls").iterdir())


def test_client_context_with_a_wrong_password_is_a_config_error(embedded_pki, tmp_path):
    with pytest.raises(ConfigError, match="XPORY_CLIENT_P12_PASSWORD"):
        tls.client_context(embedded_pki.ca_cert, embedded_pki.client_p12, "Wr0ngPassw0rd", tmp_path)


def test_p12_to_pem_of_a_missing_file_names_xpory_client_p12(tmp_path):
    with pytest.raises(ConfigError, match=r"XPORY_CLIENT_P12=.*missing\.p12"):
        tls.p12_to_pem(tmp_path / "missing.p12", "x", tmp_path / "tls")
