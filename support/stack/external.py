"""An already-running stack (profile `externo`, or staging-local without compose): a health check, and
"restart the CP" only through the profile's XPORY_CP_RESTART_COMMAND."""
from __future__ import annotations

import shlex
import subprocess
import time

import psycopg

from ..config import Config
from ..database import Database, Databases
from ..errors import StackError
from ..masking import Masker
from ..progress import waiting
from ..tls import client_context, server_context
from .base import StackController, wait_until_answers


def check_health(config: Config, timeout: float, wait_for_start: bool = False) -> None:
    """Every service answers, with the profile's certificates; every database accepts a connection.

    `wait_for_start`: the stack is starting (compose up, a CP restart), so a refused connection means
    "not yet" until `timeout`; otherwise the stack should already be up and a refusal fails at once."""
    runtime = config.path("XPORY_RUNTIME_DIR")
    ca = config.path("XPORY_CA_FILE")
    server = server_context(ca)
    mtls = client_context(ca, config.path("XPORY_CLIENT_P12"), config.client_p12_password, runtime / "tls")
    admin_root = config.cp_admin_api.rsplit("/admin/api", 1)[0]
    checks = [
        ("API admin do CP", "XPORY_CP_ADMIN_API", admin_root + "/.well-known/jwks.json", server),
        ("CP (mTLS)", "XPORY_CP_URL", config.cp_url + "/.well-known/jwks.json", mtls),
        ("WL exportador", "XPORY_EXPORTER_URL", config.exporter_url + "/", True),
        ("WL importador", "XPORY_IMPORTER_URL", config.importer_url + "/", True),
    ]
    for label, setting, url, verify in checks:
        wait_until_answers(label, setting, url, verify=verify, timeout=timeout, wait_for_start=wait_for_start,
                           client_certificate=verify is mtls)
    for database in Databases.from_config(config, Masker(config.secrets())).all():
        _accepts_queries(database, timeout)


def _accepts_queries(database: Database, timeout: float) -> None:
    """The database answers a query: over its DSN (a connection), or through docker exec psql."""
    if database.docker is not None:
        database.scalar("SELECT 1 AS up")  # StackError naming the container setting when it cannot
        return
    try:
        with psycopg.connect(database.dsn, connect_timeout=int(max(1, min(timeout, 10)))):
            pass
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StackError(f"Banco inacessível ({database.setting}): {database.masker.text(first)[:300]}. "
                         "A stack está no ar? O DSN está certo?") from None


class ExternalStack(StackController):
    name = "stack externa"

    def start(self) -> Config:
        self.config.require_all()
        check_health(self.config, self.config.startup_timeout_seconds)
        return self.config

    def restart_cp(self) -> None:
        """Run XPORY_CP_RESTART_COMMAND (no shell) within XPORY_CP_RESTART_TIMEOUT_SECONDS, then wait until
        the CP serves its JWKS again. That the CP really restarted is proven by the reset itself: after
        the TRUNCATE of cp_users only a CP that started again can bootstrap the MASTER user it logs in as."""
        command = (self.config.get("XPORY_CP_RESTART_COMMAND") or "").strip()
        if not command:
            super().restart_cp()
        timeout = self.config.cp_restart_timeout_seconds
        deadline = time.monotonic() + timeout
        try:
            with waiting("o comando de restart do CP (XPORY_CP_RESTART_COMMAND)", timeout):
                result = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=timeout,
                                        stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            raise StackError(f"XPORY_CP_RESTART_COMMAND: o programa {shlex.split(command)[0]!r} não existe.") from None
        except subprocess.TimeoutExpired:
            raise StackError(f"XPORY_CP_RESTART_COMMAND não terminou em {timeout:g}s "
                             "(XPORY_CP_RESTART_TIMEOUT_SECONDS).") from None
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip()[-400:]
            raise StackError(f"XPORY_CP_RESTART_COMMAND falhou (código {result.returncode}): {tail}")
        check_health(self.config, max(1.0, deadline - time.monotonic()), wait_for_start=True)
