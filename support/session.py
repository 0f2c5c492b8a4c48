"""The run-long connection to one XporY stack: resolved config, stack controller, clients, databases.

Built once in `before_all` (which fails with one clear message when the stack is down or the profile
is wrong) and closed in `after_all`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config
from .cp_admin import CpAdminApi
from .cp_peer import CpPeerApi
from .database import Databases
from .http import HttpLog
from .journal import ChangeJournal
from .masking import Masker
from .reset.state import ResetState
from .stack import controller_for
from .stack.base import StackController
from .stackmap import StackMap, load_map, map_path
from .tls import client_context, server_context
from .wl_clients import ExporterApi, ImporterApi


@dataclass
class Session:
    config: Config
    stack: StackController
    masker: Masker
    http_log: HttpLog
    cp_admin: CpAdminApi
    cp_peer: CpPeerApi
    exporter: ExporterApi
    importer: ImporterApi
    db: Databases
    stack_map: StackMap
    start_seconds: float = 0.0
    extra_clients: list = field(default_factory=list)
    # what the suite knows of the stack's state during the run (support/reset/state.py documents it)
    reset_state: ResetState = field(default_factory=ResetState)
    # the readiness plan made in before_all: each selected scenario's map needs (support/readiness/plan.py)
    readiness: Any = None
    # the changes beyond the runbook's statements, journaled before they are made (support/journal.py;
    # opened by the hooks in before_all)
    journal: ChangeJournal | None = None
    # holds made ahead of the scenarios that let them expire, by scenario (support/hold_ahead.py)
    holds_ahead: dict = field(default_factory=dict)
    # peer tokens made ahead of the scenarios that let them expire, by scenario (support/token_ahead.py)
    tokens_ahead: dict = field(default_factory=dict)
    # the CP pending trades already matched to a purchase (support.correlation.purchase_trade_ids)
    claimed_trades: set = field(default_factory=set)

    @property
    def reports_dir(self) -> Path:
        path = self.config.path("XPORY_REPORTS_DIR")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def admin_client(self, email: str, password: str) -> CpAdminApi:
        """Another admin API client logged in as a different user (closed with the session)."""
        client = CpAdminApi(self.config.cp_admin_api, self.http_log, email=email, password=password,
                            verify=server_context(self.config.path("XPORY_CA_FILE")),
                            timeout=self.config.http_timeout_seconds)
        self.extra_clients.append(client)
        return client

    def close(self) -> None:
        for client in (self.cp_admin, self.cp_peer, self.exporter, self.importer, *self.extra_clients):
            client.close()
        self.db.close()
        self.stack.stop()


def databases_for(config: Config, masker: Masker) -> Databases:
    """The run's three databases, with the destructive-SQL guard set from XPORY_ALLOW_REMOTE_RESET."""
    return Databases.from_config(config, masker)


def open_session(config: Config) -> Session:
    """Start (or check) the stack and build every client. Raises SuiteSetupError on any problem (a
    malformed stack map among them, before the stack starts)."""
    stack_map = load_map(map_path(config))
    masker = Masker(config.secrets())
    started = time.perf_counter()
    stack = controller_for(config)
    try:
        resolved = stack.start()
        resolved.require_all()
        masker.add(*resolved.secrets())
        runtime = resolved.path("XPORY_RUNTIME_DIR")
        ca = resolved.path("XPORY_CA_FILE")
        server = server_context(ca)
        mtls = client_context(ca, resolved.path("XPORY_CLIENT_P12"), resolved.client_p12_password, runtime / "tls")
    except BaseException:
        stack.stop()
        raise
    log = HttpLog(masker)
    timeout = resolved.http_timeout_seconds
    stack.config = resolved
    return Session(
        config=resolved,
        stack=stack,
        masker=masker,
        http_log=log,
        cp_admin=CpAdminApi(resolved.cp_admin_api, log, email=resolved.admin_email,
                            password=resolved.admin_password, verify=server, timeout=timeout),
        cp_peer=CpPeerApi(resolved.cp_url, log, verify=mtls, timeout=timeout),
        exporter=ExporterApi(resolved.exporter_url, log, timeout=timeout),
        importer=ImporterApi(resolved.importer_url, log, timeout=timeout,
                             import_timeout=resolved.import_timeout_seconds),
        db=databases_for(resolved, masker),
        stack_map=stack_map,
        start_seconds=time.perf_counter() - started,
    )
