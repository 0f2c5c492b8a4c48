"""The runbook's local staging stack, driven with `docker compose` in the xpory-trader checkout.

Step 0 (`docker compose up -d` and the Traefik proxy file) runs only when XPORY_COMPOSE_UP=true;
"restart the CP" is `docker compose restart controlplane`, followed by a health wait.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..config import Config
from ..errors import StackError
from .base import StackController
from .external import check_health

CP_SERVICE = "controlplane"
PROXY_FILE = "docker-compose.proxy.yml"


def up_commands() -> list[list[str]]:
    """Runbook step 0: CP + Postgres + Admin UI, then Traefik (mTLS)."""
    return [["docker", "compose", "up", "-d"],
            ["docker", "compose", "-f", PROXY_FILE, "up", "-d"]]


def restart_cp_command() -> list[str]:
    return ["docker", "compose", "restart", CP_SERVICE]


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

    def _run(self, command: list[str]) -> None:
        if self.runner is subprocess.run and shutil.which(command[0]) is None:
            raise StackError(f"'{command[0]}' não está instalado: o perfil com XPORY_STACK=compose precisa do Docker.")
        workdir = self.workdir
        if not workdir.is_dir():
            raise StackError(f"XPORY_TRADER_DIR={workdir} não existe.")
        result = self.runner(command, cwd=str(workdir), capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise StackError(f"'{' '.join(command)}' falhou em {workdir} (código {result.returncode}): "
                             f"{(result.stderr or result.stdout).strip()[-400:]}")

    def start(self) -> Config:
        self.config.require_all()
        starting = bool(self.config.get("XPORY_COMPOSE_UP", False))
        if starting:
            for command in up_commands():
                self._run(command)
        check_health(self.config, self.config.startup_timeout_seconds, wait_for_start=starting)
        return self.config

    def restart_cp(self) -> None:
        self._run(restart_cp_command())
        check_health(self.config, self.config.startup_timeout_seconds, wait_for_start=True)
