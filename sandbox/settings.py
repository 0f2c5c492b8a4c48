"""Settings of the sandbox processes, read from SANDBOX_* environment variables.

The launcher (`python -m sandbox up`, launcher.py) sets these when it spawns the processes. Every variable
has a default so a process started by hand works.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .personality import PersonalityError
from .personality import current as current_personality

EXPORTER_WL_ID = "fd1a88a9-3a01-43bb-ae20-32618c1b3752"
IMPORTER_WL_ID = "2a6f8e2c-874c-4476-aac3-0d535fb52ac7"


class SettingsError(ValueError):
    """A SANDBOX_* variable holds a value the sandbox cannot use."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer (example: {name}={default})") from None


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number (example: {name}={default})") from None


def _str(name: str, default: str) -> str:
    raw = os.environ.get(name)
    return default if raw is None or raw == "" else raw


def _personality() -> str:
    try:
        return current_personality().name
    except PersonalityError as exc:
        raise SettingsError(str(exc)) from None


@dataclass(frozen=True)
class Settings:
    runtime_dir: Path
    pki_dir: Path
    host: str = "127.0.0.1"
    db_port: int = 15432
    cp_admin_port: int = 18443
    cp_mtls_port: int = 18444
    exporter_port: int = 18081
    importer_port: int = 18090
    storefront_port: int = 18080
    exporter_wl_id: str = EXPORTER_WL_ID
    importer_wl_id: str = IMPORTER_WL_ID
    # Real timings of the staging stack; the embedded profile shortens them.
    hold_ttl_seconds: float = 90.0
    relationship_poll_seconds: float = 180.0
    cp_start_delay_seconds: float = 0.0  # a slow boot (Grails + Liquibase) before the CP listens
    peer_token_ttl_seconds: int = 300
    wl_token_ttl_seconds: int = 300
    admin_jwt_secret: str = "dev-admin-secret"
    admin_jwt_ttl_seconds: int = 3600
    governance_secret: str = "test-governance-signing-secret"
    bcrypt_rounds: int = 12
    bootstrap_password: str = "changeit"
    client_p12_password: str = "changeit"
    personality: str = "a"  # sandbox/personality.py: a | b (SANDBOX_PERSONALITY)
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        runtime = Path(_str("SANDBOX_RUNTIME_DIR", ".xpory")).resolve()
        return cls(
            runtime_dir=runtime,
            pki_dir=Path(_str("SANDBOX_PKI_DIR", str(runtime / "pki"))).resolve(),
            host=_str("SANDBOX_HOST", "127.0.0.1"),
            db_port=_int("SANDBOX_DB_PORT", 15432),
            cp_admin_port=_int("SANDBOX_CP_ADMIN_PORT", 18443),
            cp_mtls_port=_int("SANDBOX_CP_MTLS_PORT", 18444),
            exporter_port=_int("SANDBOX_EXPORTER_PORT", 18081),
            importer_port=_int("SANDBOX_IMPORTER_PORT", 18090),
            storefront_port=_int("SANDBOX_STOREFRONT_PORT", 18080),
            exporter_wl_id=_str("SANDBOX_EXPORTER_WL_ID", EXPORTER_WL_ID),
            importer_wl_id=_str("SANDBOX_IMPORTER_WL_ID", IMPORTER_WL_ID),
            hold_ttl_seconds=_float("SANDBOX_HOLD_TTL_SECONDS", 90.0),
            relationship_poll_seconds=_float("SANDBOX_RELATIONSHIP_POLL_SECONDS", 180.0),
            cp_start_delay_seconds=_float("SANDBOX_CP_START_DELAY_SECONDS", 0.0),
            peer_token_ttl_seconds=_int("SANDBOX_PEER_TOKEN_TTL_SECONDS", 300),
            wl_token_ttl_seconds=_int("SANDBOX_WL_TOKEN_TTL_SECONDS", 300),
            admin_jwt_secret=_str("SANDBOX_ADMIN_JWT_SECRET", "dev-admin-secret"),
            admin_jwt_ttl_seconds=_int("SANDBOX_ADMIN_JWT_TTL_SECONDS", 3600),
            governance_secret=_str("SANDBOX_GOVERNANCE_SECRET", "test-governance-signing-secret"),
            bcrypt_rounds=_int("SANDBOX_BCRYPT_ROUNDS", 12),
            bootstrap_password=_str("SANDBOX_BOOTSTRAP_PASSWORD", "changeit"),
            client_p12_password=_str("SANDBOX_CLIENT_P12_PASSWORD", "changeit"),
            personality=_personality(),
        )

    # --- derived values -------------------------------------------------------------------
    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@{self.host}:{self.db_port}/{database}"

    @property
    def cp_mtls_url(self) -> str:
        """Base URL of the CP's WL-facing listener (client certificate required)."""
        return f"https://localhost:{self.cp_mtls_port}"

    @property
    def cp_admin_url(self) -> str:
        """Base URL of the CP admin listener (admin API under /admin/api, JWKS at the root)."""
        return f"https://localhost:{self.cp_admin_port}"

    @property
    def exporter_url(self) -> str:
        return f"http://{self.host}:{self.exporter_port}"

    @property
    def importer_url(self) -> str:
        return f"http://{self.host}:{self.importer_port}"

    @property
    def storefront_url(self) -> str:
        return f"http://{self.host}:{self.storefront_port}"

    # PEM files written by the launcher's PKI (pki.py) into pki_dir.
    @property
    def ca_cert(self) -> Path:
        return self.pki_dir / "ca.crt"

    @property
    def server_cert(self) -> Path:
        return self.pki_dir / "server.crt"

    @property
    def server_key(self) -> Path:
        return self.pki_dir / "server.key"

    @property
    def client_cert(self) -> Path:
        return self.pki_dir / "wl-client.crt"

    @property
    def client_key(self) -> Path:
        return self.pki_dir / "wl-client.key"
