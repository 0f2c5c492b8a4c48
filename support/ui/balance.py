"""What the "Balança comercial" screen must show for origem → destino, computed from the API's
`GET /admin/api/reports/trade-balance` answer (contract wl.md §7.2; screen mapping in
sandbox/admin_ui/README.md), and the comparison of the screen with it."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .texts import is_placeholder, number

COUNT_LABELS = {"Confirmadas": "CONFIRMED", "Pendentes": "PENDING", "Rejeitadas": "REJECTED"}
MONEY_LABELS = ("Exportado pela origem", "Importado pela origem", "Saldo da origem",
                "Total exportado (A → B)", "Total importado (B → A)", "Saldo (A − B)")
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
    """Label → value the screen shows for origem → destino (None when the report has no such pair).

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
    out: dict = {label: count(status) for label, status in COUNT_LABELS.items()}
    out.update({
        "Exportado pela origem": exported,
        "Importado pela origem": imported,
        "Saldo da origem": exported - imported,
        "Total exportado (A → B)": _dec(totals.get("totalExported")),
        "Total importado (B → A)": _dec(totals.get("totalImported")),
        "Saldo (A − B)": _dec(totals.get("balance")),
        "Status": relationship.get("status"),
        "FX": _dec(relationship.get("fxRate")) if relationship.get("fxRate") is not None else None,
        "Limite": _dec(relationship.get("limitAmount")) if relationship.get("limitAmount") is not None else None,
    })
    return out


def differences(shown: dict[str, str | None], expected: dict) -> list[str]:
    """Where the screen (label → text) differs from `expected` (label → value); [] when it agrees.
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
        elif label in MONEY_LABELS or label == "Limite":
            if got.quantize(CENT, ROUND_HALF_UP) != Decimal(want).quantize(CENT, ROUND_HALF_UP):
                out.append(f"{label}: tela {text!r}, API {want}")
        elif got != Decimal(want):
            out.append(f"{label}: tela {text!r}, API {want}")
    return out
