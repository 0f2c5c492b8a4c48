"""From what the read-only probes saw (support.readiness.observe.Observed), a value for an entry the map
does not know (or that the stack contradicts): the one candidate the stack shows, or None. Pure: no
stack access here, so it is tested on recorded observations."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from support.readiness.judge import listed_or_none
from support.reset.runbook_steps import INVALID_TOKEN
from support.stackmap import StackMap
from support.stackmap.catalogue import BY_NAME
from support.text import fold
from support.wl_shapes import dig

from . import sinonimos

ARIA_LINE = re.compile(r'^\s*- (?P<role>[a-z]+)(?: "(?P<name>(?:[^"\\]|\\.)*)")?(?P<rest>.*)$')


@dataclass(frozen=True)
class Found:
    value: str
    role: str | None = None
    how: str = ""  # what on the stack showed it (for the draft's note)


def _one(candidates: list[str], seen, how: str) -> Found | None:
    hits = [c for c in candidates if c in seen]
    return Found(hits[0], how=f"{how}: {hits[0]}") if len(hits) == 1 or (hits and hits[0] == candidates[0]) else None


# --- SQL ------------------------------------------------------------------------------------------------
def sql(m: StackMap, name: str, observed) -> Found | None:
    fact = BY_NAME[name]
    side = fact.surface.split(":", 1)[1]
    tables = observed.schema.get(side)
    candidates = list(sinonimos.SQL.get(name, ()))
    if tables is None or not candidates:
        return None
    if fact.kind == "table":
        return _one(candidates, tables, f"information_schema de {side}")
    table = m.entry(f"{fact.group}.table")
    if not table.known or table.value not in tables:
        return None
    return _one(candidates, tables[table.value], f"colunas de {table.value}")


# --- the export and the other WL answers --------------------------------------------------------------------
def _list_key(body) -> str | None:
    if isinstance(body, list):
        return "[]"
    if not isinstance(body, dict):
        return None
    keys = [k for k, v in body.items() if isinstance(v, list) and all(isinstance(i, dict) for i in v)]
    preferred = [k for k in sinonimos.LIST_KEYS if k in keys]
    return preferred[0] if preferred else (keys[0] if len(keys) == 1 else None)


def _style(value) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "epoch_ms" if value > 10 ** 11 else "epoch_s"
    try:
        dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return "iso"
    except ValueError:
        return None


def _paging(m: StackMap, observed, envelope: str) -> Found | None:
    for style, pages in observed.export_pages.items():
        lists = [listed_or_none(a.body, envelope) if a.status == 200 else None for a in pages]
        if all(lst is not None and len(lst) == 1 for lst in lists) and lists[0] != lists[1]:
            return Found(style, how=f"com {style} (1 por página) vieram ofertas diferentes")
    plain = listed_or_none(observed.export_plain.body, envelope)
    total = dig(observed.export_plain.body, m.entry("wl.exporter.export_offers.total").value or "total")
    if plain is not None and len(plain) == total:
        return Found("nenhuma", how="sem parâmetros vieram todas as ofertas")
    return None


def export(m: StackMap, name: str, observed) -> Found | None:
    answer = observed.export_plain
    if answer is None or answer.status != 200:
        return None
    body = answer.body
    if name == "wl.exporter.export_offers.items":
        key = _list_key(body)
        return Found(key, how="a lista da resposta") if key else None
    envelope = m.entry("wl.exporter.export_offers.items").value or _list_key(body)
    if name == "wl.exporter.export_offers.total":
        ints = [k for k, v in (body.items() if isinstance(body, dict) else []) if isinstance(v, int)]
        return _one(list(sinonimos.KEYS[name]), ints, "chaves inteiras da resposta")
    if envelope is None:
        return None
    if name == "wl.exporter.export_offers.paging":
        return _paging(m, observed, envelope)
    items = listed_or_none(body, envelope) or []
    if not items:
        return None
    if name == "wl.exporter.export_offers.timestamps":
        created = m.entry("wl.exporter.export_offers.item.created_at").value or (
            export(m, "wl.exporter.export_offers.item.created_at", observed) or Found("")).value
        style = _style(dig(items[0], created)) if created else None
        return Found(style, how=f"o valor de {created}: {dig(items[0], created)!r}") if style else None
    return _one(list(sinonimos.KEYS.get(name, ())), _key_paths(items[0]), "chaves da oferta exportada")


def _key_paths(item: dict) -> list[str]:
    """The keys of an answer's item as the map writes them: a scalar key as itself, a nested object by the
    path to its id ("category.id"), since an object is not a value the suite can compare."""
    paths = []
    for key, value in item.items():
        if isinstance(value, dict):
            paths += [f"{key}.{inner}" for inner, v in value.items() if inner == "id" and not isinstance(v, (dict, list))]
        else:
            paths.append(key)
    return paths


def pending(m: StackMap, name: str, observed) -> Found | None:
    answer = observed.pending
    if answer is None or answer.status != 200:
        return None
    if name == "wl.exporter.pending.items":
        key = _list_key(answer.body)
        return Found(key, how="a lista da resposta") if key else None
    items = listed_or_none(answer.body, m.entry("wl.exporter.pending.items").value or _list_key(answer.body) or "[]")
    return _one(list(sinonimos.KEYS[name]), items[0], "chaves da compra pendente") if items else None


def error(m: StackMap, name: str, observed) -> Found | None:
    answer = observed.errors.get("exporter" if name.startswith("wl.exporter.") else "importer")
    if answer is None or not answer.status or answer.status < 400 or not isinstance(answer.body, dict):
        return None
    texts = [k for k, v in answer.body.items() if isinstance(v, str)]
    # The probe sends a malformed token: the runbook (§5, "se o importer responder `Invalid Control Plane
    # token`") fixes the message, so the key that carries it is the error key, whatever its name.
    carrying = [k for k in texts if INVALID_TOKEN in answer.body[k]]
    if len(carrying) == 1:
        return Found(carrying[0], how=f"a recusa HTTP {answer.status} traz {INVALID_TOKEN!r} em {carrying[0]}")
    return _one(list(sinonimos.KEYS[name]), texts, f"a recusa HTTP {answer.status}")


# --- the pages (ARIA snapshots) -------------------------------------------------------------------------------
def aria(snapshot: str) -> list[tuple[str, str, str]]:
    """(role, name, rest of line) of every line of an ARIA snapshot."""
    out = []
    for line in snapshot.splitlines():
        match = ARIA_LINE.match(line)
        if match:
            rest = match["rest"].strip().removeprefix(":").strip()
            out.append((match["role"], (match["name"] or "").replace('\\"', '"'), rest.strip('"')))
    return out


def pages_of(name: str, observed) -> list:
    """The pages an entry lives on: its surface's page ("ui:admin:login" -> admin:login; the storefront's
    sign-in form is on its sign-in page, or where its home page sent a visitor); every page otherwise."""
    surface = BY_NAME[name].surface
    keys = {"ui:store:sign_in": ("store:sign_in", "store:root")}.get(surface)
    if keys is None and surface.count(":") == 2:
        keys = (surface.split(":", 1)[1],)
    return [observed.pages[k] for k in keys if k in observed.pages] if keys else list(observed.pages.values())


def element(m: StackMap, name: str, observed) -> Found | None:
    role, names = sinonimos.ELEMENTS[name]
    wanted = {fold(n) for n in names}
    hits = sorted({n for page in pages_of(name, observed) for r, n, _ in aria(page.snapshot)
                   if r == role and fold(n) in wanted})
    return Found(hits[0], role, f"{role} \"{hits[0]}\" na tela") if len(hits) == 1 else None


def heading(m: StackMap, name: str, observed) -> Found | None:
    page = observed.pages.get(sinonimos.PAGE_HEADINGS[name])
    if page is None:
        return None
    others = {n for key, p in observed.pages.items() if key != sinonimos.PAGE_HEADINGS[name] and key.startswith("admin:")
              for r, n, _ in aria(p.snapshot) if r == "heading"}
    own = [(n, "level=1" in rest) for r, n, rest in aria(page.snapshot) if r == "heading" and n and n not in others]
    main = sorted({n for n, first in own if first}) or sorted({n for n, _ in own})
    return Found(main[0], "heading", f"o título próprio de {page.url}") if len(main) == 1 else None


def counter(m: StackMap, name: str, observed) -> Found | None:
    words = [fold(w) for w in sinonimos.COUNTERS[name]]
    for page in pages_of(name, observed):
        for _, label, rest in aria(page.snapshot):
            text = rest or label
            match = re.match(r"^(.*?)(\d+)\s*$", text)
            if match and any(fold(match[1]).startswith(w) for w in words):
                return Found(match[1] + "{n}", how=f"o texto {text!r} na tela")
    return None


def select_style(m: StackMap, name: str, observed) -> Found | None:
    origin = m.entry("ui.admin.balance.origin")
    page = observed.pages.get("admin:balance")
    if page is None or not origin.known:
        return None
    lines = page.snapshot.splitlines()
    for index, line in enumerate(lines):
        parsed = ARIA_LINE.match(line)
        if parsed and parsed["role"] == "combobox" and fold(parsed["name"] or "") == fold(origin.value):
            child = lines[index + 1] if index + 1 < len(lines) else ""
            native = bool(ARIA_LINE.match(child)) and ARIA_LINE.match(child)["role"] == "option"
            return Found("nativo" if native else "customizado", how="as opções do seletor na tela")
    return None


def signed_in(m: StackMap, name: str, observed, email: str) -> Found | None:
    page = observed.pages.get("admin:trades")
    if page is None:
        return None
    for _, label, rest in aria(page.snapshot):
        text = rest or label
        if email in text and "MASTER" in text:
            shown = text.replace(email, "{email}").replace("MASTER", "{role}")
            return Found(shown[shown.index("{email}"):shown.index("{role}") + len("{role}") + 1].rstrip(), "banner",
                         f"a faixa do topo: {text!r}")
    return None


def store_sign_in(m: StackMap, name: str, observed) -> Found | None:
    """The storefront's sign-in route: where its home page sends a visitor that has not signed in."""
    from urllib.parse import urlparse

    page = observed.pages.get("store:root")
    if page is None:
        return None
    path = urlparse(page.url).path
    shows_form = any(role == "textbox" for role, _, _ in aria(page.snapshot))
    return Found(path, how=f"a loja manda quem não entrou para {page.url}") if path not in ("", "/") and shows_form else None


def infer(m: StackMap, name: str, observed, email: str) -> Found | None:
    """A value for `name` from what the probes saw, or None (no candidate, or more than one)."""
    fact = BY_NAME[name]
    if fact.surface.startswith("sql:"):
        return sql(m, name, observed)
    simple = {"http:export_offers": export, "http:exporter_pending": pending, "http:exporter_error": error,
              "http:importer_error": error}
    if fact.surface in simple:
        return simple[fact.surface](m, name, observed)
    if name in sinonimos.ELEMENTS:
        return element(m, name, observed)
    if name in sinonimos.PAGE_HEADINGS:
        return heading(m, name, observed)
    if name in sinonimos.COUNTERS:
        return counter(m, name, observed)
    if name == "ui.admin.balance.select_style":
        return select_style(m, name, observed)
    if name == "ui.admin.signed_in":
        return signed_in(m, name, observed, email)
    if name == "ui.store.route.sign_in":
        return store_sign_in(m, name, observed)
    return None
