"""The embedded profile's PKI: a CA, a server certificate and a WL client certificate.

Generated once into the runtime folder (reused while valid), the same layout as the runbook's
`traefik/certs`: `ca.crt`, a server certificate for the stack's host names, and `wl-client.p12`
(CN `wl-client`, protected by a password). PEM copies of the client certificate and key are kept
for the sandbox's WL processes, which present them to the CP.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVER_DNS_NAMES = (
    "localhost",
    "cp.localhost",
    "cp-jwks.localhost",
    "wl-exporter.localhost",
    "wl-importer.localhost",
)
SERVER_IPS = ("127.0.0.1",)
VALID_DAYS = 365
RENEW_BEFORE = dt.timedelta(days=7)


@dataclass(frozen=True)
class PkiFiles:
    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.crt"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    @property
    def client_p12(self) -> Path:
        return self.directory / "wl-client.p12"

    @property
    def client_cert(self) -> Path:
        return self.directory / "wl-client.crt"

    @property
    def client_key(self) -> Path:
        return self.directory / "wl-client.key"

    def all(self) -> tuple[Path, ...]:
        return (self.ca_cert, self.ca_key, self.server_cert, self.server_key,
                self.client_p12, self.client_cert, self.client_key)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write(path: Path, data: bytes, private: bool = False) -> None:
    path.write_bytes(data)
    if private:
        os.chmod(path, 0o600)
    else:
        os.chmod(path, 0o644)


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_ca(common_name: str = "XPORY-Local-CA"):
    """A self-signed CA certificate and its key."""
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def issue(ca_cert, ca_key, common_name: str, *, server: bool, dns=(), ips=()):
    """A leaf certificate signed by the CA, for a server (SANs) or a TLS client."""
    key = _key()
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False)
    )
    sans = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def client_p12_bytes(cert, key, ca_cert, password: str, alias: str = "wl-client") -> bytes:
    return pkcs12.serialize_key_and_certificates(
        alias.encode(), key, cert, [ca_cert],
        serialization.BestAvailableEncryption(password.encode()),
    )


def _still_valid(files: PkiFiles) -> bool:
    if not all(p.is_file() for p in files.all()):
        return False
    try:
        for path in (files.ca_cert, files.server_cert, files.client_cert):
            cert = x509.load_pem_x509_certificate(path.read_bytes())
            if cert.not_valid_after_utc - RENEW_BEFORE < _now():
                return False
    except ValueError:
        return False
    return True


def ensure_embedded_pki(directory: Path, p12_password: str) -> PkiFiles:
    """Generate the embedded PKI into `directory` unless a valid one is already there.

    The `.p12` password is the caller's; when it no longer opens the existing `.p12`,
    everything is generated again so files and settings always agree.
    """
    import fcntl

    files = PkiFiles(Path(directory))
    files.directory.mkdir(parents=True, exist_ok=True)
    with open(files.directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent runs share one PKI
        return _ensure_locked(files, p12_password)


def _ensure_locked(files: PkiFiles, p12_password: str) -> PkiFiles:
    if _still_valid(files):
        try:
            pkcs12.load_key_and_certificates(files.client_p12.read_bytes(), p12_password.encode())
            return files
        except ValueError:
            pass  # the password changed: issue a new set
    ca_cert, ca_key = make_ca()
    server_cert, server_key = issue(ca_cert, ca_key, "localhost", server=True,
                                    dns=SERVER_DNS_NAMES, ips=SERVER_IPS)
    client_cert, client_key = issue(ca_cert, ca_key, "wl-client", server=False)
    pem = serialization.Encoding.PEM
    _write(files.ca_key, _pem_key(ca_key), private=True)
    _write(files.server_key, _pem_key(server_key), private=True)
    _write(files.client_key, _pem_key(client_key), private=True)
    _write(files.server_cert, server_cert.public_bytes(pem))
    _write(files.client_cert, client_cert.public_bytes(pem))
    _write(files.client_p12, client_p12_bytes(client_cert, client_key, ca_cert, p12_password),
           private=True)
    _write(files.ca_cert, ca_cert.public_bytes(pem))  # written last: marks a complete set
    return files
