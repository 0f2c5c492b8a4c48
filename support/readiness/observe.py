"""What a live stack shows to read-only calls, per surface of the catalogue (support/stackmap/catalogue.py):

- sql:exporter / sql:importer: every table and column of the WL database (information_schema.columns);
- http:export_offers: the exporter's broad export (the runbook's own read), plain and with each paging style;
- http:exporter_pending: the exporter's pending purchases, with a peer token minted just now (runbook step 6);
- http:exporter_error / http:importer_error: a refusal of each WL (no token at the exporter's pending list;
  an invalid peer token at the importer's debug import, which must refuse before importing anything);
- ui:*: the Admin UI's and the storefront's pages (support/readiness/ui_probe.py).

Nothing here writes: a call that cannot be made now (no relationship yet, a WL down) is recorded as a
problem and the entries it would show stay "pronto" only when the map knows them (unchecked).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

SCHEMA_SQL = ("SELECT table_name AS t, column_name AS c FROM information_schema.columns "
              "WHERE table_schema = ANY(current_schemas(false)) ORDER BY 1, 2")
PAGING_STYLES = ("limit/offset", "page/size")
INVALID_TOKEN = "token-invalido-da-sonda-de-prontidao"


@dataclass
class Answer:
    status: int | None
    body: Any = None
    problem: str | None = None


@dataclass
class Observed:
    schema: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # exporter|importer -> table -> columns
    export_plain: Answer | None = None
    export_pages: dict[str, tuple[Answer, Answer]] = field(default_factory=dict)  # style -> (page 0, page 1)
    pending: Answer | None = None
    errors: dict[str, Answer] = field(default_factory=dict)  # exporter|importer -> refusal
    pages: dict[str, Any] = field(default_factory=dict)  # ui page -> support.readiness.ui_probe.PageSeen
    problems: dict[str, str] = field(default_factory=dict)  # surface -> why it could not be observed


def _answer(call) -> Answer:
    try:
        response = call()
    except httpx.HTTPError as exc:
        return Answer(None, problem=f"{type(exc).__name__}: {exc}"[:300])
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = response.text[:300]
    return Answer(response.status_code, body)


def schema(database) -> dict[str, set[str]]:
    tables: dict[str, set[str]] = {}
    for row in database.rows(SCHEMA_SQL):
        tables.setdefault(row["t"], set()).add(row["c"])
    return tables


def _page_params(style: str, limit: int, offset: int) -> dict[str, int]:
    from ..wl_shapes import page_params

    return page_params(style, limit, offset)


def export(session, observed: Observed) -> None:
    exporter = session.exporter
    observed.export_plain = _answer(lambda: exporter.export_offers(None))
    for style in PAGING_STYLES:
        observed.export_pages[style] = tuple(
            _answer(lambda offset=offset, style=style: exporter.export_offers(None, **_page_params(style, 1, offset)))
            for offset in (0, 1))


def pending(session, observed: Observed) -> None:
    c = session.config
    minted = _answer(lambda: session.cp_peer.peer_token(c.importer_wl_id, c.exporter_wl_id, ["trader:purchase"]))
    token = minted.body.get("token") if minted.status == 201 and isinstance(minted.body, dict) else None
    if token is None:
        observed.problems["http:exporter_pending"] = (
            f"sem peer token agora (o CP respondeu {minted.status or minted.problem}: os WLs e o relacionamento "
            "ainda não existem antes do primeiro reset?)")
        return
    observed.pending = _answer(lambda: session.exporter.pending_purchases(token))


def errors(session, observed: Observed) -> None:
    observed.errors["exporter"] = _answer(lambda: session.exporter.pending_purchases(""))
    observed.errors["importer"] = _answer(lambda: session.importer.debug_import(INVALID_TOKEN))


def observe(session, surfaces: set[str], wanted: set[str] | None = None) -> Observed:
    """Observe the stack on `surfaces` (only those: a run that needs no UI entry opens no browser); with
    `wanted` (entry names), the screens open only the pages those entries are on (None: every page, as the
    capture command wants)."""
    observed = Observed()
    for side, database in (("exporter", session.db.exporter), ("importer", session.db.importer)):
        if f"sql:{side}" in surfaces:
            observed.schema[side] = schema(database)
    if "http:export_offers" in surfaces:
        export(session, observed)
    if "http:exporter_pending" in surfaces:
        pending(session, observed)
    if surfaces & {"http:exporter_error", "http:importer_error"}:
        errors(session, observed)
    if any(s.startswith("ui:") for s in surfaces):
        from .ui_probe import observe_pages

        observe_pages(session, observed, surfaces, wanted)
    return observed
