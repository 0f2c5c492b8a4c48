"""TLS for the suite: SSL contexts with verification always on.

- `server_context(ca)`: verifies the stack's server certificates against the profile's CA.
- `client_context(ca, p12, password)`: the same, presenting the WL client certificate (mTLS).
Chain and host-name verification stay on; only OpenSSL's *strict* X.509 mode is off (see
`server_context`), so the CA that xpory-trader's certificate script makes is accepted.
Python's ssl module cannot read PKCS#12, so the .p12 is opened with `cryptography` and its key and
chain are written as private PEM files (mode 0600) into the runtime folder.
"""
from __future__ import annotations

import hashlib
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from .errors import ConfigError


def _read(path: Path, setting: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"Arquivo não encontrado: {setting}={path}. Confira o caminho no perfil.") from None
    except OSError as exc:
        raise ConfigError(f"Não consegui ler {setting}={path}: {exc.strerror}") from None


def server_context(ca_file: Path) -> ssl.SSLContext:
    data = _read(ca_file, "XPORY_CA_FILE")
    try:
        x509.load_pem_x509_certificates(data)
    except ValueError:
        raise ConfigError(f"XPORY_CA_FILE={ca_file} não é um certificado PEM.") from None
    context = ssl.create_default_context(cafile=str(ca_file))
    # Python >= 3.13 turns on VERIFY_X509_STRICT in create_default_context. The CA that xpory-trader's
    # scripts/setup-traefik-certs.sh generates (`openssl req -x509` with the default config) has no
    # keyUsage extension, and its server certificates no authorityKeyIdentifier: strict mode refuses
    # both, so the staging stack would look like "certificate verify failed". Clear only that flag:
    # the chain must still lead to XPORY_CA_FILE (CERT_REQUIRED) and the host name must still match.
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def p12_to_pem(p12_file: Path, password: str, out_dir: Path) -> tuple[Path, Path]:
    """Write the .p12's certificate chain and key as PEM (0600); return (cert, key) paths."""
    data = _read(p12_file, "XPORY_CLIENT_P12")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode())
    except ValueError:
        raise ConfigError(
            f"Não consegui abrir XPORY_CLIENT_P12={p12_file}: senha errada (XPORY_CLIENT_P12_PASSWORD) "
            "ou arquivo que não é PKCS#12."
        ) from None
    if key is None or cert is None:
        raise ConfigError(f"XPORY_CLIENT_P12={p12_file} não contém chave e certificado.")
    out_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(out_dir, 0o700)
    tag = hashlib.sha256(data).hexdigest()[:12]
    cert_path, key_path = out_dir / f"client-{tag}.crt", out_dir / f"client-{tag}.key"
    chain = cert.public_bytes(serialization.Encoding.PEM) + b"".join(
        c.public_bytes(serialization.Encoding.PEM) for c in (extra or []))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    for path, content in ((cert_path, chain), (key_path, key_pem)):
        # written aside and renamed: a run reading these files never sees another run's half-written copy
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    return cert_path, key_path


def client_context(ca_file: Path, p12_file: Path, password: str, work_dir: Path) -> ssl.SSLContext:
    context = server_context(ca_file)
    cert_path, key_path = p12_to_pem(p12_file, password, work_dir)
    context.load_cert_chain(str(cert_path), str(key_path))
    return context
