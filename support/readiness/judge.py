"""Each map entry's readiness from what the read-only probes saw (support/readiness/observe.py): pronto
(the stack shows it), divergente (the stack contradicts it, with what it shows instead) or, for an entry
no probe could see now, pronto but unchecked. An unknown entry stays desconhecido."""
from __future__ import annotations

import difflib

from ..stackmap import Readiness, StackMap
from ..stackmap.model import DIVERGENT, READY
from ..wl_shapes import dig, instant
from .observe import Answer, Observed

DB = {"exporter": "wl-01 (exportador)", "importer": "wl-03 (importador)"}


def _ok(detail: str) -> Readiness:
    return Readiness(READY, detail, checked=True)


def _bad(detail: str) -> Readiness:
    return Readiness(DIVERGENT, detail, checked=True)


def _close(word: str, options) -> str:
    found = difflib.get_close_matches(word, sorted(options), n=3, cutoff=0.5)
    return f" (parecidos: {', '.join(found)})" if found else ""


def _sql(m: StackMap, name: str, observed: Observed) -> Readiness | None:
    side = m.entry(name).fact.surface.split(":", 1)[1]
    tables = observed.schema.get(side)
    if tables is None:
        return None
    fact = m.entry(name).fact
    if fact.kind == "table":
        table = m.entry(name).value
        if table in tables:
            return _ok(f"a tabela {table} existe em {DB[side]}")
        return _bad(f"a tabela {table} não existe em {DB[side]}{_close(table, tables)}")
    table_entry = m.entry(f"{fact.group}.table")
    if not table_entry.known or table_entry.value not in tables:
        return None
    column = m.entry(name).value
    columns = tables[table_entry.value]
    if column in columns:
        return _ok(f"a coluna {table_entry.value}.{column} existe em {DB[side]}")
    return _bad(f"a tabela {table_entry.value} de {DB[side]} não tem a coluna {column}{_close(column, columns)}")


def _keys_of(body) -> str:
    return ", ".join(sorted(body)) if isinstance(body, dict) else type(body).__name__


def listed_or_none(body, envelope: str):
    found = body if envelope == "[]" else dig(body, envelope)
    return found if isinstance(found, list) else None


def _export_list(m: StackMap, answer: Answer | None):
    envelope = m.entry("wl.exporter.export_offers.items")
    if answer is None or answer.status != 200 or not envelope.known:
        return None
    return listed_or_none(answer.body, envelope.value)


def _paging(m: StackMap, observed: Observed) -> Readiness | None:
    style = m.entry("wl.exporter.export_offers.paging").value
    if style == "nenhuma":
        plain, total = _export_list(m, observed.export_plain), m.entry("wl.exporter.export_offers.total")
        if plain is None or not total.known:
            return None
        expected = dig(observed.export_plain.body, total.value)
        return _ok("sem parâmetros, a exportação traz tudo") if len(plain) == expected else \
            _bad(f"sem parâmetros vieram {len(plain)} de {expected} ofertas: a exportação é paginada")
    pages = [_export_list(m, a) for a in observed.export_pages.get(style, ())]
    if len(pages) != 2 or any(p is None for p in pages):
        return None
    if [len(p) for p in pages] == [1, 1] and pages[0] != pages[1]:
        return _ok(f"com {style} a exportação devolve uma oferta por página, diferentes entre páginas")
    return _bad(f"com {style} (1 por página) vieram {[len(p) for p in pages]} ofertas, "
                f"{'iguais' if pages[0] == pages[1] else 'diferentes'}: a exportação não pagina assim")


def _export(m: StackMap, name: str, observed: Observed) -> Readiness | None:
    plain = observed.export_plain
    if plain is None or plain.status != 200:
        return None
    value = m.entry(name).value
    if name == "wl.exporter.export_offers.total":
        found = dig(plain.body, value)
        return _ok(f"a exportação traz {value} = {found}") if isinstance(found, int) else \
            _bad(f"a exportação não traz o total inteiro em {value!r} (chaves: {_keys_of(plain.body)})")
    if name == "wl.exporter.export_offers.items":
        return _ok(f"a exportação traz a lista em {value}") if listed_or_none(plain.body, value) is not None else \
            _bad(f"a exportação não traz uma lista em {value!r} (chaves: {_keys_of(plain.body)})")
    if name == "wl.exporter.export_offers.paging":
        return _paging(m, observed)
    items = _export_list(m, plain)
    if not items:
        return None  # nothing exported now: the item keys cannot be seen
    if name == "wl.exporter.export_offers.timestamps":
        created = m.entry("wl.exporter.export_offers.item.created_at")
        raw = dig(items[0], created.value) if created.known else None
        if raw is None:
            return None
        try:
            instant(raw, value)
        except (TypeError, ValueError):
            return _bad(f"a data {raw!r} da oferta exportada não está no formato {value}")
        return _ok(f"a data {raw!r} está no formato {value}")
    found = dig(items[0], value)
    return _ok(f"a oferta exportada traz {value}") if found is not None else \
        _bad(f"a oferta exportada não traz {value!r} (chaves: {_keys_of(items[0])})")


def _pending(m: StackMap, name: str, observed: Observed) -> Readiness | None:
    answer = observed.pending
    if answer is None or answer.status != 200:
        return None
    envelope = m.entry("wl.exporter.pending.items")
    if name == "wl.exporter.pending.items":
        return _ok(f"as pendentes vêm em {envelope.value}") if listed_or_none(answer.body, envelope.value) is not None \
            else _bad(f"as pendentes não vêm numa lista em {envelope.value!r} (chaves: {_keys_of(answer.body)})")
    items = listed_or_none(answer.body, envelope.value) if envelope.known else None
    if not items:
        return None
    key = m.entry(name).value
    return _ok(f"cada pendente traz {key}") if dig(items[0], key) is not None else \
        _bad(f"a compra pendente não traz {key!r} (chaves: {_keys_of(items[0])})")


def _error(m: StackMap, name: str, observed: Observed) -> Readiness | None:
    side = "exporter" if name.startswith("wl.exporter.") else "importer"
    answer = observed.errors.get(side)
    if answer is None or answer.status is None:
        return None
    key = m.entry(name).value
    if answer.status < 400:
        return _bad(f"o WL aceitou (HTTP {answer.status}) um pedido que devia recusar: a sonda não vê o corpo de erro")
    found = dig(answer.body, key)
    return _ok(f"a recusa (HTTP {answer.status}) traz a mensagem em {key}: {found!r}") if isinstance(found, str) else \
        _bad(f"a recusa (HTTP {answer.status}) não traz a mensagem em {key!r} (corpo: {str(answer.body)[:200]})")


def _ui(m: StackMap, name: str, observed: Observed) -> Readiness | None:
    for page in observed.pages.values():
        if name in page.found:
            seen = page.found[name]
            if seen is None:
                return None
            return _ok(f"{page.title}: {page.detail(name)}") if seen else _bad(f"{page.title}: {page.detail(name)}")
    return None


JUDGES = {"sql": _sql, "http:export_offers": _export, "http:exporter_pending": _pending,
          "http:exporter_error": _error, "http:importer_error": _error, "ui": _ui}


def judge(m: StackMap, names, observed: Observed) -> dict[str, Readiness]:
    """The readiness of each known entry among `names` that a probe saw (the others keep the map's)."""
    out = {}
    for name in names:
        entry = m.entry(name)
        surface = entry.fact.surface
        if not entry.known or not surface:
            continue
        kind = surface.split(":", 1)[0] if surface.split(":", 1)[0] in ("sql", "ui") else surface
        verdict = JUDGES[kind](m, name, observed)
        if verdict is None:
            why = observed.problems.get(surface) or observed.problems.get(kind) or "nenhuma sonda de leitura o viu agora"
            verdict = Readiness(READY, f"{entry.state} ({entry.source}); não verificado: {why}")
        out[name] = verdict
    return out
