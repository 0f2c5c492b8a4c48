"""What the "Balança comercial" screen must show for origem → destino, computed from the API's
`GET /admin/api/reports/trade-balance` answer (contract wl.md §7.2), and the comparison of the screen
with it. Values are keyed by field (confirmed, origin_exported, fx...); the label each field has on the
screen comes from the stack map (`LABELS`: ui.admin.balance.label.*)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .texts import is_placeholder, number

COUNTS = {"confirmed": "CONFIRMED", "pending": "PENDING", "rejected": "REJECTED"}
MONEY = ("origin_exported", "origin_imported", "origin_balance", "total_exported", "total_imported", "balance", "limit")
LABELS = {  # field -> the stack map entry of its label on the screen
    "confirmed": "ui.admin.balance.label.confirmed", "pending": "ui.admin.balance.label.pending",
    "rejected": "ui.admin.balance.label.rejected", "origin_exported": "ui.admin.balance.label.origin_exported",
    "origin_imported": "ui.admin.balance.label.origin_imported", "origin_balance": "ui.admin.balance.label.origin_balance",
    "total_exported": "ui.admin.balance.label.total_exported", "total_imported": "ui.admin.balance.label.total_imported",
    "balance": "ui.admin.balance.label.balance", "status": "ui.admin.balance.label.status",
    "fx": "ui.admin.balance.label.fx", "limit": "ui.admin.balance.label.limit",
}
CENT = Decimal("0.01")


def _dec(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def pair_entry(report: dict, origin: str, destination: str) -> dict | None:
    """The report's pair entry for the two WLs, in either orientation."""
    for entry in report.get("relationships") or []:
        if {entry.get("wlAId"), entry.get("wlBId")} == {origin, destination}:
            return entry
    return None


def expected_screen(report: dict, origin: str, destination: str) -> dict | None:
    """Field → value the screen shows for origem → destino (None when the report has no such pair).

    Counts sum both directions; "Exportado/Importado pela origem" are the CONFIRMED totals of
    origem → destino and destino → origem; the report totals are shown verbatim.
    """
    entry = pair_entry(report, origin, destination)
    if entry is None:
        return None
    origin_is_a = entry.get("wlAId") == origin
    metrics = entry.get("tradeMetrics") or {}
    forward = metrics.get("aToB" if origin_is_a else "bToA") or {}
    reverse = metrics.get("bToA" if origin_is_a else "aToB") or {}
    relationship = (entry.get("relationships") or {}).get("aToB" if origin_is_a else "bToA") or {}
    totals = entry.get("totals") or {}

    def count(status: str) -> int:
        return sum(int((side.get("counts") or {}).get(status) or 0) for side in (forward, reverse))

    exported = _dec((forward.get("totals") or {}).get("CONFIRMED"))
    imported = _dec((reverse.get("totals") or {}).get("CONFIRMED"))
    out: dict = {field: count(status) for field, status in COUNTS.items()}
    out.update({
        "origin_exported": exported,
        "origin_imported": imported,
        "origin_balance": exported - imported,
        "total_exported": _dec(totals.get("totalExported")),
        "total_imported": _dec(totals.get("totalImported")),
        "balance": _dec(totals.get("balance")),
        "status": relationship.get("status"),
        "fx": _dec(relationship.get("fxRate")) if relationship.get("fxRate") is not None else None,
        "limit": _dec(relationship.get("limitAmount")) if relationship.get("limitAmount") is not None else None,
    })
    return out


def differences(shown: dict[str, str | None], expected: dict) -> list[str]:
    """Where the screen (field → text) differs from `expected` (field → value); [] when it agrees.
    Money is compared to the cent, counts exactly, texts as they are."""
    out = []
    for label, want in expected.items():
        text = shown.get(label)
        if want is None:
            if not is_placeholder(text):
                out.append(f"{label}: a tela mostra {text!r}, a API não tem valor")
            continue
        if text is None:
            out.append(f"{label}: não aparece na tela (API: {want})")
            continue
        if isinstance(want, str):
            if text.strip() != want:
                out.append(f"{label}: tela {text!r}, API {want!r}")
            continue
        try:
            got = number(text)
        except ValueError:
            out.append(f"{label}: tela {text!r} não é um número (API: {want})")
            continue
        if isinstance(want, int):
            if got != want:
                out.append(f"{label}: tela {got}, API {want}")
        elif label in MONEY:
            if got.quantize(CENT, ROUND_HALF_UP) != Decimal(want).quantize(CENT, ROUND_HALF_UP):
                out.append(f"{label}: tela {text!r}, API {want}")
        elif got != Decimal(want):
            out.append(f"{label}: tela {text!r}, API {want}")
    return out
