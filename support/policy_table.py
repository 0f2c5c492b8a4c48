"""An export_policy written as a data table of its real fields, with values a QA analyst can write.

    | campo              | valor                                |
    | include_categories | a categoria com mais ofertas ativas  |
    | entity_allowlist   | uma entidade da categoria 15         |
    | min_created_at     | a data mediana do catálogo           |

Each cell is a literal (an id, `true`, an ISO instant, a number; JSON when it starts with `[`, `{` or
`"`, kept exactly as written: the way to send an invalid policy) or a reference to the stack's own data,
resolved here from the CP snapshots and the exporter's catalogue (`REFERENCES`, listed in the
catalogue). A list field takes several values separated by "," or " e ". Fields left out keep the
runbook's base policy (enabled, nothing filtered); an empty cell is an empty list / no value.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .export_policy import FIELDS, LIST_FIELDS, base_policy
from .text import fold
from .wl_shapes import ExportedOffer


@dataclass
class Sources:
    """What references are resolved from: the CP snapshots and, read only when a reference needs it,
    the exporter's catalogue (its broad export)."""
    categories: list[dict]
    entities: list[dict]
    catalogue: Callable[[], list[ExportedOffer]]

    def offers(self) -> list[ExportedOffer]:
        if not hasattr(self, "_offers"):
            self._offers = self.catalogue()
        return self._offers


def _count(item: dict, key: str) -> int:
    return int(item[key])


def _pick(items: list[dict], key: str, count: str, wanted, what: str) -> str:
    found = sorted(str(i[key]) for i in items if wanted(_count(i, count)))
    if not found:
        raise AssertionError(f"o snapshot do CP não tem {what}")
    return found[0]


def _extreme(items: list[dict], key: str, count: str, most: bool) -> str:
    live = [i for i in items if _count(i, count) > 0]
    if not live:
        raise AssertionError("o snapshot do CP não tem item com ofertas ativas")
    best = (max if most else min)(_count(i, count) for i in live)
    return sorted(str(i[key]) for i in live if _count(i, count) == best)[0]


def _entity_of_category(src: Sources, rest: str) -> str:
    """`rest` follows "da categoria ": an id ("15") or a category reference without its article."""
    as_reference = resolve_one(src, "categoria", f"a categoria {rest}")
    category = as_reference if as_reference != f"a categoria {rest}" else rest.strip()
    found = sorted({str(o.entity) for o in src.offers() if str(o.category) == category})
    if not found:
        raise AssertionError(f"nenhuma oferta ativa do catálogo do exportador na categoria {category}")
    return found[0]


def _stamp(moment: dt.datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _catalogue_instant(src: Sources, which: str) -> str:
    stamps = sorted(o.created_at if o.created_at.tzinfo else o.created_at.replace(tzinfo=dt.UTC)
                    for o in src.offers())
    if not stamps:
        raise AssertionError("o catálogo do exportador não tem ofertas ativas")
    return _stamp({"mediana": stamps[len(stamps) // 2], "antiga": stamps[0], "recente": stamps[-1]}[which])


def _days(days: int) -> str:
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return _stamp(today + dt.timedelta(days=days))


C, E = ("categoryId", "activeCount"), ("entityId", "activeOffersCount")
# (kind, how it is written, regex over the folded text, resolver(sources, match)) — the catalogue lists them
REFERENCES: tuple[tuple[str, str, str, Callable], ...] = (
    ("categoria", "a categoria com mais ofertas ativas", r"a categoria com mais ofertas ativas",
     lambda s, m: _extreme(s.categories, *C, most=True)),
    ("categoria", "a categoria com menos ofertas ativas (e pelo menos uma)", r"a categoria com menos ofertas ativas",
     lambda s, m: _extreme(s.categories, *C, most=False)),
    ("categoria", "uma categoria sem ofertas ativas", r"uma categoria sem ofertas ativas",
     lambda s, m: _pick(s.categories, *C, lambda n: n == 0, "categoria com activeCount 0")),
    ("categoria", "uma categoria com N ofertas ativas", r"uma categoria com (\d+) ofertas? ativas?",
     lambda s, m: _pick(s.categories, *C, lambda n: n == int(m[1]), f"categoria com activeCount {m[1]}")),
    ("entidade", "a entidade com mais ofertas ativas", r"a entidade com mais ofertas ativas",
     lambda s, m: _extreme(s.entities, *E, most=True)),
    ("entidade", "uma entidade sem ofertas ativas", r"uma entidade sem ofertas ativas",
     lambda s, m: _pick(s.entities, *E, lambda n: n == 0, "entidade com activeOffersCount 0")),
    ("entidade", "uma entidade com N ofertas ativas (a mesma em toda a tabela)",
     r"(?:uma|a) entidade com (\d+) ofertas? ativas?",
     lambda s, m: _pick(s.entities, *E, lambda n: n == int(m[1]), f"entidade com activeOffersCount {m[1]}")),
    ("entidade", "uma entidade da categoria X (X: um id, ou \"com mais ofertas ativas\" etc.)",
     r"(?:uma|a) entidade da categoria (.+)", lambda s, m: _entity_of_category(s, m[1])),
    ("data", "a data mediana do catálogo", r"a data mediana do catalogo", lambda s, m: _catalogue_instant(s, "mediana")),
    ("data", "a data da oferta mais antiga do catálogo", r"a data da oferta mais antiga do catalogo",
     lambda s, m: _catalogue_instant(s, "antiga")),
    ("data", "a data da oferta mais recente do catálogo", r"a data da oferta mais recente do catalogo",
     lambda s, m: _catalogue_instant(s, "recente")),
    ("data", "hoje / amanhã / ontem (0 h UTC)", r"(hoje|amanha|ontem)",
     lambda s, m: _days({"hoje": 0, "amanha": 1, "ontem": -1}[m[1]])),
    ("data", "daqui a N dias / há N dias (0 h UTC)", r"(daqui a|ha) (\d+) dias?",
     lambda s, m: _days(int(m[2]) * (1 if m[1] == "daqui a" else -1))),
)
KIND_OF = {"include_categories": "categoria", "exclude_categories": "categoria", "entity_allowlist": "entidade",
           "entity_blocklist": "entidade", "min_created_at": "data"}
TRUE, FALSE = ("true", "sim", "ligada", "ligado"), ("false", "nao", "desligada", "desligado")


def resolve_one(src: Sources, kind: str, text: str):
    """One value of a field of `kind`: a reference of that kind, or the literal as written."""
    folded = fold(text)
    for ref_kind, _, regex, resolver in REFERENCES:
        match = re.fullmatch(regex, folded)
        if ref_kind == kind and match:
            return resolver(src, match)
    return text.strip()


def _split(text: str) -> list[str]:
    return [part for part in re.split(r"\s*,\s*|\s+e\s+", text.strip()) if part]


def _value(src: Sources, name: str, text: str):
    text = (text or "").strip()
    if text[:1] in ("[", "{", '"') or text == "null":
        return json.loads(text)  # exactly as written (an invalid policy, on purpose)
    if name in LIST_FIELDS:
        return [resolve_one(src, KIND_OF[name], part) for part in _split(text)]
    if name == "enabled":
        if fold(text) not in TRUE + FALSE:
            raise AssertionError(f"enabled: {text!r} não é um destes: {', '.join(TRUE + FALSE)}")
        return fold(text) in TRUE
    if name == "min_created_at":
        return resolve_one(src, "data", text)
    return str(Decimal(text.replace(",", ".")))  # price_min / price_max


def rows_of(table) -> list[tuple[str, str]]:
    """The (campo, valor) pairs of a behave table; the heading row counts as data unless it is
    `| campo | valor |`."""
    rows = [(str(r.cells[0]), str(r.cells[1]) if len(r.cells) > 1 else "") for r in table.rows]
    headings = list(table.headings)
    if [fold(h) for h in headings[:2]] != ["campo", "valor"]:
        rows.insert(0, (headings[0], headings[1] if len(headings) > 1 else ""))
    return rows


def policy_from_rows(rows: list[tuple[str, str]], src: Sources) -> dict:
    """The export_policy the table describes, every reference resolved; an empty cell keeps the base
    policy's value (`null` sends null)."""
    policy = base_policy()
    for name, text in rows:
        field = name.strip()
        if field not in FIELDS:
            raise AssertionError(f"campo desconhecido da export_policy: {field!r}; use um destes: {', '.join(FIELDS)}")
        if (text or "").strip():
            policy[field] = _value(src, field, text)
    return policy
