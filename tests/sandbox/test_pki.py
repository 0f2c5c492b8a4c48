"""sandbox/pki.py: the launcher's CA, server and WL client certificates: private files 0600, the stack's
host names, signed by the CA, the .p12 with its password; reused while valid, regenerated when a file is
missing or the set is close to expiry; another password rewrites only the .p12, never the CA."""
from __future__ import annotations

import ipaddress
import stat
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from certificates import VALID_DAYS  # noqa: E402
from sandbox import pki  # noqa: E402

P12_PASSWORD = "p12-Senha-7"


@pytest.fixture(scope="module")
def embedded_pki(tmp_path_factory) -> pki.PkiFiles:
    return pki.ensure_pki(tmp_path_factory.mktemp("pki"), P12_PASSWORD)


@pytest.fixture
def p12_password() -> str:
    return P12_PASSWORD


def load_cert(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_pki_files_are_all_written_with_private_keys_0600(embedded_pki):
    for path in embedded_pki.all():
        assert path.is_file(), path
    for path in (embedded_pki.ca_key, embedded_pki.server_key, embedded_pki.client_key, embedded_pki.client_p12):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(embedded_pki.ca_cert.stat().st_mode) == 0o644


def test_server_certificate_covers_the_stack_host_names(embedded_pki):
    cert = load_cert(embedded_pki.server_cert)
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(sans.get_values_for_type(x509.DNSName)) == {
        "localhost", "cp.localhost", "cp-jwks.localhost", "wl-exporter.localhost", "wl-importer.localhost"}
    assert sans.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku


def test_server_and_client_certificates_are_signed_by_the_ca(embedded_pki):
    ca = load_cert(embedded_pki.ca_cert)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    for path in (embedded_pki.server_cert, embedded_pki.client_cert):
        leaf = load_cert(path)
        assert leaf.issuer == ca.subject
        leaf.verify_directly_issued_by(ca)  # raises if the signature does not match


def test_client_p12_opens_with_its_password_and_holds_the_wl_client(embedded_pki, p12_password):
    key, cert, extra = pkcs12.load_key_and_certificates(embedded_pki.client_p12.read_bytes(), p12_password.encode())
    assert key is not None
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "wl-client"
    assert ExtendedKeyUsageOID.CLIENT_AUTH in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [c.subject for c in extra] == [load_cert(embedded_pki.ca_cert).subject]


def test_client_p12_refuses_a_wrong_password(embedded_pki):
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(embedded_pki.client_p12.read_bytes(), b"not-the-password")


def test_a_valid_set_is_reused(tmp_path):
    first = pki.ensure_pki(tmp_path, "pw-one-1")
    before = {p.name: p.read_bytes() for p in first.all()}
    again = pki.ensure_pki(tmp_path, "pw-one-1")
    assert {p.name: p.read_bytes() for p in again.all()} == before


def test_a_changed_password_rewrites_only_the_p12_and_keeps_the_certificates(tmp_path):
    first = pki.ensure_pki(tmp_path, "pw-one-1")
    before = {p.name: p.read_bytes() for p in first.certificates()}
    second = pki.ensure_pki(tmp_path, "pw-two-2")
    assert {p.name: p.read_bytes() for p in second.certificates()} == before  # a running stack keeps its CA
    pkcs12.load_key_and_certificates(second.client_p12.read_bytes(), b"pw-two-2")
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(second.client_p12.read_bytes(), b"pw-one-1")


def test_two_passwords_share_the_certificates_with_a_p12_each(tmp_path):
    one = pki.ensure_pki(tmp_path / "shared", "pw-one-1", tmp_path / "run-1" / "wl-client.p12")
    two = pki.ensure_pki(tmp_path / "shared", "pw-two-2", tmp_path / "run-2" / "wl-client.p12")
    assert one.client_p12 != two.client_p12 and not (tmp_path / "shared" / "wl-client.p12").exists()
    for files, password in ((one, b"pw-one-1"), (two, b"pw-two-2")):
        _, cert, _ = pkcs12.load_key_and_certificates(files.client_p12.read_bytes(), password)
        assert cert == load_cert(files.client_cert)
        assert stat.S_IMODE(files.client_p12.stat().st_mode) == 0o600


def test_an_incomplete_set_is_regenerated(tmp_path):
    first = pki.ensure_pki(tmp_path, "pw-one-1")
    old_ca = first.ca_cert.read_bytes()
    first.client_key.unlink()
    second = pki.ensure_pki(tmp_path, "pw-one-1")
    assert second.client_key.is_file()
    assert second.ca_cert.read_bytes() != old_ca


def test_a_set_close_to_expiry_is_regenerated(tmp_path, monkeypatch):
    first = pki.ensure_pki(tmp_path, "pw-one-1")
    old_ca = first.ca_cert.read_bytes()
    later = pki._now() + pki.dt.timedelta(days=VALID_DAYS) - pki.RENEW_BEFORE + pki.dt.timedelta(hours=1)
    monkeypatch.setattr(pki, "_now", lambda: later)
    second = pki.ensure_pki(tmp_path, "pw-one-1")
    assert second.ca_cert.read_bytes() != old_ca
