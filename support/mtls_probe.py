"""Calls to the CP's WL-facing listener (`XPORY_CP_URL`) the way an outsider would make them: with no
client certificate, or with one issued by another CA. The documented intent (contract cp.md §7) is that
the CP refuses both in the TLS handshake; the server certificate is still verified against the profile's
CA (`XPORY_CA_FILE`), so a refusal can never be mistaken for our own distrust of the server.

The outsider's attempts are capped at TLS 1.2, where the server asks for the client certificate inside
the handshake and a refusal aborts it: the client sees the handshake fail. (In TLS 1.3 the client
considers the handshake done before the server has checked its certificate; a refusing server just
closes the connection, which from outside looks like any server that hung up.) The control attempt
with the WL's own certificate uses the default versions.

Each attempt is recorded in the scenario's HTTP log like any other call, and returns what happened:
an HTTP answer (status, masked body) or the TLS/connection failure and whether it happened while
connecting (TCP + TLS handshake) or after.
"""
from __future__ import annotations

import json
import ssl
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization

import certificates as pki

from .http import Call
from .tls import server_context

NO_CERTIFICATE = "nenhum certificado"
OTHER_CA = "certificado de outra CA"
WL_CERTIFICATE = "certificado do WL"

# What a server that aborts the handshake looks like from the client: an alert, or the connection
# closed/reset mid-handshake ...
_REFUSAL_MARKERS = ("alert", "certificate required", "unknown ca", "bad certificate", "handshake failure",
                    "connection reset", "eof occurred", "unexpected eof", "connection aborted", "broken pipe")
# ... and what means the problem is on our side, or nothing listens, or the versions do not meet.
_LOCAL_MARKERS = ("certificate_verify_failed", "connection refused", "name or service not known",
                  "protocol version", "wrong version number")


@dataclass
class Attempt:
    presented: str
    url: str
    tls: str = "TLS padrão"
    status: int | None = None
    body: str = ""
    failure: str = ""
    while_connecting: bool = False

    @property
    def refused_in_handshake(self) -> bool:
        """The connection failed while connecting (TCP + TLS handshake) with a TLS abort, not with a
        failure of our own (server certificate not trusted, nothing listening, TLS versions)."""
        text = self.failure.lower()
        return (self.status is None and self.while_connecting and any(m in text for m in _REFUSAL_MARKERS)
                and not any(m in text for m in _LOCAL_MARKERS))

    def describe(self) -> str:
        where = f"{self.presented}, {self.tls}: POST {self.url}"
        if self.status is not None:
            return f"{where} -> {self.status}: {self.body}"
        moment = "ao conectar (handshake TLS)" if self.while_connecting else "depois de conectar"
        return f"{where} -> sem resposta HTTP, falhou {moment}: {self.failure}"


def _other_ca_context(ca_file: Path, work_dir: Path) -> ssl.SSLContext:
    """Verifies the server with the profile's CA, presents a client certificate from a fresh CA."""
    ca_cert, ca_key = pki.make_ca("Outra-CA-da-suite")
    cert, key = pki.issue(ca_cert, ca_key, "wl-client", server=False)
    cert_path, key_path = work_dir / "outra-ca-cliente.crt", work_dir / "outra-ca-cliente.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                          + ca_cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    context = _outsider_context(ca_file)
    context.load_cert_chain(str(cert_path), str(key_path))
    return context


def _outsider_context(ca_file: Path) -> ssl.SSLContext:
    context = server_context(ca_file)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    return context


def _post(session, verify: ssl.SSLContext, presented: str, path: str, body: dict) -> Attempt:
    masker, log = session.masker, session.http_log
    url = session.config.cp_url.rstrip("/") + path
    started = time.perf_counter()
    tls = "TLS 1.2" if verify.maximum_version == ssl.TLSVersion.TLSv1_2 else "TLS padrão"
    attempt = Attempt(presented, masker.text(url), tls)
    try:
        with httpx.Client(verify=verify, timeout=session.config.http_timeout_seconds) as client:
            response = client.post(url, json=body)
    except httpx.HTTPError as exc:
        attempt.failure = masker.text(f"{type(exc).__name__}: {exc}")[:500]
        attempt.while_connecting = isinstance(exc, httpx.ConnectError)
        log.calls.append(Call("POST", attempt.url, None, (time.perf_counter() - started) * 1000,
                              masker.body(json.dumps(body)), "", attempt.failure))
        return attempt
    if response.status_code == 201:
        try:
            masker.add(response.json().get("token"))
        except ValueError:
            pass
    attempt.status, attempt.body = response.status_code, masker.body(response.content, 800)
    log.calls.append(Call("POST", attempt.url, response.status_code, (time.perf_counter() - started) * 1000,
                          masker.body(json.dumps(body)), attempt.body))
    return attempt


def peer_token_attempt(session, presented: str, scopes=("offers:sync",)) -> Attempt:
    """`POST /wls/{importerId}/peer-token` (importer -> exporter) presenting `presented`."""
    c = session.config
    path = f"/wls/{c.importer_wl_id}/peer-token"
    body = {"targetWlId": c.exporter_wl_id, "scopes": list(scopes)}
    ca = c.path("XPORY_CA_FILE")
    if presented == NO_CERTIFICATE:
        return _post(session, _outsider_context(ca), presented, path, body)
    if presented == OTHER_CA:
        with tempfile.TemporaryDirectory(prefix="xpory-outra-ca-") as work:
            return _post(session, _other_ca_context(ca, Path(work)), presented, path, body)
    if presented == WL_CERTIFICATE:
        from .tls import client_context

        verify = client_context(ca, c.path("XPORY_CLIENT_P12"), c.client_p12_password,
                                c.path("XPORY_RUNTIME_DIR") / "tls")
        return _post(session, verify, presented, path, body)
    raise ValueError(f"certificado desconhecido: {presented!r}")
