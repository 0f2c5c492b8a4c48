"""The runbook's local staging stack, driven with `docker compose` in the xpory-trader checkout.

Step 0 (`docker compose up -d` and the Traefik proxy file) runs only when XPORY_COMPOSE_UP=true; when
the checkout has no `traefik/certs/ca.crt` yet, the repository's own certificate script runs first
(xpory-trader's docs: the certificates are not versioned, each machine generates them).
"Restart the CP" is `docker compose restart controlplane`, within XPORY_CP_RESTART_TIMEOUT_SECONDS,
checked twice: the container's StartedAt (docker inspect) must change, then the CP must serve its JWKS.
"""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from ..config import Config
from ..errors import StackError
from ..progress import waiting
from .base import StackController
from .external import check_health

CP_SERVICE = "controlplane"
PROXY_FILE = "docker-compose.proxy.yml"
CERT_SCRIPT = "scripts/setup-traefik-certs.sh"
CA_IN_CHECKOUT = "traefik/certs/ca.crt"
CERT_TOOLS = ("openssl", "keytool")  # what the certificate script needs (xpory-trader's docs)
SETUP_COMMAND_TIMEOUT = 600.0  # compose up may pull and build images


def up_commands() -> list[list[str]]:
    """Runbook step 0: CP + Postgres + Admin UI, then Traefik (mTLS)."""
    return [["docker", "compose", "up", "-d"],
            ["docker", "compose", "-f", PROXY_FILE, "up", "-d"]]


def restart_cp_command() -> list[str]:
    return ["docker", "compose", "restart", CP_SERVICE]


def cp_container_command() -> list[str]:
    return ["docker", "compose", "ps", "-q", CP_SERVICE]


def services_command() -> list[str]:
    return ["docker", "compose", "ps", "-a", "--format", "{{.Service}} {{.State}} {{.Status}}"]


def started_at_command(container: str) -> list[str]:
    return ["docker", "inspect", "--format", "{{.State.StartedAt}} {{.State.Running}}", container]


class ComposeStack(StackController):
    name = "docker compose (xpory-trader)"

    def __init__(self, config: Config, runner=subprocess.run):
        super().__init__(config)
        self.runner = runner

    @property
    def workdir(self) -> Path:
        if not self.config.get("XPORY_TRADER_DIR"):
            raise StackError("XPORY_STACK=compose precisa de XPORY_TRADER_DIR (checkout do xpory-trader). "
                             "Exemplo: XPORY_TRADER_DIR=/home/andre/Trabalho/XporY/repos/github/xpory-trader")
        return Path(self.config.trader_dir)

    def _run(self, command: list[str], timeout: float = SETUP_COMMAND_TIMEOUT) -> str:
        """Run `command` in the checkout; its stdout, or a StackError with the command and its output's tail."""
        if self.runner is subprocess.run and shutil.which(command[0]) is None:
            raise StackError(f"'{command[0]}' não está instalado: o perfil com XPORY_STACK=compose precisa do Docker.")
        workdir = self.workdir
        if not workdir.is_dir():
            raise StackError(f"XPORY_TRADER_DIR={workdir} não existe.")
        try:
            with waiting(f"'{' '.join(command)}'", timeout):
                result = self.runner(command, cwd=str(workdir), capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise StackError(f"'{' '.join(command)}' não terminou em {timeout:g}s em {workdir}.") from None
        if result.returncode != 0:
            raise StackError(f"'{' '.join(command)}' falhou em {workdir} (código {result.returncode}): "
                             f"{(result.stderr or result.stdout).strip()[-400:]}")
        return result.stdout or ""

    def ensure_certificates(self) -> bool:
        """Run the checkout's certificate script when traefik/certs/ca.crt is missing; True if it ran."""
        if (self.workdir / CA_IN_CHECKOUT).is_file():
            return False
        script = self.workdir / CERT_SCRIPT
        if not script.is_file():
            raise StackError(f"{self.workdir / CA_IN_CHECKOUT} não existe e o checkout não tem {CERT_SCRIPT} para "
                             "gerá-lo: XPORY_TRADER_DIR aponta para o xpory-trader?")
        missing = [tool for tool in CERT_TOOLS if shutil.which(tool) is None]
        if missing:
            raise StackError(f"{CERT_SCRIPT} (gera {CA_IN_CHECKOUT}) precisa de {' e '.join(missing)}: instale e rode de novo.")
        self._run(["bash", CERT_SCRIPT])
        if not (self.workdir / CA_IN_CHECKOUT).is_file():
            raise StackError(f"{CERT_SCRIPT} terminou sem gerar {self.workdir / CA_IN_CHECKOUT}.")
        return True

    def start(self) -> Config:
        self.config.require_all()
        starting = bool(self.config.get("XPORY_COMPOSE_UP", False))
        if starting:
            self.ensure_certificates()
            for command in up_commands():
                self._run(command)
        check_health(self.config, self.config.startup_timeout_seconds, wait_for_start=starting)
        return self.config

    def died(self) -> str | None:
        """A service of the xpory-trader compose project that is not running (`docker compose ps -a`)."""
        try:
            listing = self._run(services_command(), timeout=30)
        except StackError:
            return None  # docker itself cannot say: leave the step's own failure as it is
        stopped = [line for line in listing.splitlines() if line.strip() and line.split()[1:2] != ["running"]]
        if not stopped:
            return None
        return (f"serviço(s) da stack do xpory-trader fora do ar ({self.workdir}): " + "; ".join(stopped)
                + ". Veja `docker compose logs`.")

    def cp_started_at(self) -> str:
        """The controlplane container's StartedAt (docker inspect), which a restart changes."""
        container = self._run(cp_container_command(), timeout=30).strip().splitlines()
        if not container:
            raise StackError(f"'{' '.join(cp_container_command())}' não achou o contêiner do serviço {CP_SERVICE} "
                             f"em {self.workdir}: a stack está no ar (docker compose up -d)?")
        return self._run(started_at_command(container[0]), timeout=30).strip()

    def restart_cp(self) -> None:
        timeout = self.config.cp_restart_timeout_seconds
        deadline = time.monotonic() + timeout
        before = self.cp_started_at()
        self._run(restart_cp_command(), timeout=timeout)
        after = self.cp_started_at()
        if after == before or not after.endswith(" true"):
            raise StackError(f"'{' '.join(restart_cp_command())}' terminou, mas o contêiner {CP_SERVICE} não reiniciou "
                             f"(StartedAt/Running antes: {before!r}, depois: {after!r}).")
        check_health(self.config, max(1.0, deadline - time.monotonic()), wait_for_start=True)
