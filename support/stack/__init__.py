"""Stack controllers: what the steps need beyond HTTP/SQL (start/stop, health, "restart the CP").

- `embedded`: runs the sandbox's own launcher (`python -m sandbox up`) and reads its endpoints file (default profile);
- `compose`: the runbook's docker compose stack (step 0 and `docker compose restart controlplane`);
- `external`: any running stack; health check only.
"""
from __future__ import annotations

from ..config import Config
from .base import StackController


def controller_for(config: Config) -> StackController:
    if config.stack == "embedded":
        from .embedded import EmbeddedStack

        return EmbeddedStack(config)
    if config.stack == "compose":
        from .compose import ComposeStack

        return ComposeStack(config)
    from .external import ExternalStack

    return ExternalStack(config)
