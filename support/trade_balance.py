"""The CP's commercial-balance report (`GET /admin/api/reports/trade-balance`, cp.md §9.1) checked against
the trades a scenario made, not against the report's own sums.

The report is asked in projection mode (`version=2`: one row per trade) for the exporter → importer pair,
from the instant the scenario started buying (`from`): only the scenario's own trades are in it. What it
must say is computed by the suite from those trades — how many ended CONFIRMED, PENDING and REJECTED, and
what the buyer paid for each (the purchase answer's total): the exporter's CONFIRMED total is its exported
total, pending and rejected trades export nothing, and the balance seen from the exporter is exported
minus imported (nothing was bought the other way).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .expect import expect
from .session import Session

STATUSES = ("CONFIRMED", "PENDING", "REJECTED")
CENT = Decimal("0.01")


@dataclass
class PairBalance:
    """The report for the pair, seen from the exporter (origin) towards the importer (destination)."""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    exported: Decimal = Decimal(0)
    imported: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)


def _dec(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def report_since(session: Session, since: dt.datetime) -> dict:
    c = session.config
    instant = since.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    return expect(session.cp_admin.trade_balance(wlExporter=c.exporter_wl_id, wlImporter=c.importer_wl_id,
                                                 version="2", **{"from": instant}),
                  200, session, "balança comercial da API (projeção, desde o início do cenário)")


def seen_from_exporter(session: Session, report: dict) -> PairBalance | None:
    """The pair's entry oriented exporter → importer (None when the report has no such pair)."""
    c = session.config
    for entry in report.get("relationships") or []:
        if {entry.get("wlAId"), entry.get("wlBId")} != {c.exporter_wl_id, c.importer_wl_id}:
            continue
        exporter_is_a = entry.get("wlAId") == c.exporter_wl_id
        metrics = (entry.get("tradeMetrics") or {}).get("aToB" if exporter_is_a else "bToA") or {}
        totals = entry.get("totals") or {}
        exported, imported = (_dec(totals.get("totalExported")), _dec(totals.get("totalImported")))
        balance = _dec(totals.get("balance"))
        if not exporter_is_a:
            exported, imported, balance = imported, exported, -balance
        counts = {status: int((metrics.get("counts") or {}).get(status) or 0) for status in STATUSES}
        return PairBalance(counts, exported, imported, balance)
    return None


def expected(trades: list[tuple[str, Decimal]]) -> PairBalance:
    """What the report must say for `trades` [(final status, what the buyer paid)], all exporter → importer."""
    want = PairBalance()
    for status, paid in trades:
        want.counts[status] += 1
        if status == "CONFIRMED":
            want.exported += paid
    want.balance = want.exported - want.imported
    return want


def differences(got: PairBalance | None, want: PairBalance) -> list[str]:
    if got is None:
        return ["o relatório não traz o par exportador ↔ importador"]
    out = [f"{status}: o relatório conta {got.counts[status]}, o cenário fez {want.counts[status]}"
           for status in STATUSES if got.counts[status] != want.counts[status]]
    for name, label in (("exported", "total exportado"), ("imported", "total importado"), ("balance", "saldo")):
        mine, theirs = getattr(want, name).quantize(CENT), getattr(got, name).quantize(CENT)
        if mine != theirs:
            out.append(f"{label} do exportador: o relatório diz {theirs}, as trocas do cenário dão {mine}")
    return out
