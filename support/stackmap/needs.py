"""Which map entries a scenario needs, derived from the code its steps run (no list to keep by hand).

Code asks the map by writing an entry's full name (`m.name("wl.exporter.offer.price")`). This module
reads the source of steps/ and support/ (`ast`), finds those names in every function, method and
module-level value, and follows what each one references: a function or module-level name it uses, a
module's function (`trading.buy`), a method of its own class (`self.open_trades`), a class (its
special methods), and any other attribute (`p.exporter_trade_id`, `has_properties(hold_id=...)`) as
every method or property of that name in support/ (an over-approximation: never fewer needs; a method
that reads the map has a name no other support code uses, tests/support/test_stackmap_needs.py). A
name passed to `optional(...)`, and whatever a `deferred(...)` argument reaches (code that runs only for
some values, e.g. the policy phrases that need the catalogue), is an optional need: read when ready,
never a reason to skip before the scenario; if it runs and is not ready, `support.readiness.plan.or_skip`
skips the scenario then.

A scenario's needs are the union over its steps (background included) plus its `@precisa:<entry>` tags.
While it runs, reading an entry outside them raises UndeclaredNeed (support/stackmap/model.py): the
embedded run proves the derivation covers every path it exercises.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import BY_NAME

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("steps", "support")
SKIPPED = ROOT / "support" / "stackmap"  # the map's own code names every entry
TAG = "precisa:"
PROPERTY_MATCHERS = ("has_properties", "has_property")


@dataclass
class Symbol:
    key: str  # module:qualname
    module: str
    cls: str | None
    node: ast.AST
    required: set[str] = field(default_factory=set)
    optional: set[str] = field(default_factory=set)
    refs: set[str] = field(default_factory=set)  # keys of referenced symbols, resolved later
    optional_refs: set[str] = field(default_factory=set)  # referenced inside deferred(...): optional needs


@dataclass(frozen=True)
class Needs:
    required: frozenset[str]
    optional: frozenset[str]

    @property
    def readable(self) -> frozenset[str]:
        return self.required | self.optional


def _module_name(path: Path, root: Path) -> str:
    try:
        parts = path.resolve().relative_to(root).with_suffix("").parts
    except ValueError:  # a step file outside the repository (e.g. a test's own project)
        parts = ("extern", *path.resolve().with_suffix("").parts[-2:])
    return ".".join(parts).removesuffix(".__init__")


class Index:
    """Every function, method, class and module-level value of steps/ and support/, with the map
    entries it names and what it references."""

    def __init__(self, root: Path = ROOT):
        self.root = root
        self.symbols: dict[str, Symbol] = {}
        self.by_location: dict[tuple[str, int], str] = {}  # (file, def line) -> key
        self.methods: dict[str, set[str]] = {}  # method/property name -> keys
        self.imports: dict[str, dict[str, str]] = {}  # module -> local name -> "module" or "module:name"
        self.modules: set[str] = set()
        for folder in FOLDERS:
            for path in sorted((root / folder).rglob("*.py")):
                if SKIPPED not in path.parents:
                    self._read(path)
        for symbol in self.symbols.values():
            self._collect(symbol)
        self._closure: dict[str, Needs] = {}
        self._edge_cache: dict[tuple[str, bool], list[str]] = {}

    # --- reading ---------------------------------------------------------------------------------
    def _read(self, path: Path) -> list[Symbol]:
        module = _module_name(path, self.root)
        before = set(self.symbols)
        self.modules.add(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.imports[module] = self._imports(tree, module, path.name == "__init__.py")
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._add(module, None, node.name, node, path)
            elif isinstance(node, ast.ClassDef):
                self._add(module, None, node.name, node, path)
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        key = self._add(module, node.name, f"{node.name}.{item.name}", item, path)
                        self.methods.setdefault(item.name, set()).add(key)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and node.value is not None:
                        self._add(module, None, target.id, node.value, path)
        return [self.symbols[key] for key in self.symbols if key not in before]

    def _add(self, module: str, cls: str | None, qualname: str, node: ast.AST, path: Path) -> str:
        key = f"{module}:{qualname}"
        self.symbols[key] = Symbol(key, module, cls, node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            for line in {node.lineno, first}:
                self.by_location[(str(path.resolve()), line)] = key
        return key

    @staticmethod
    def _imports(tree: ast.Module, module: str, is_package: bool) -> dict[str, str]:
        out: dict[str, str] = {}
        package = module if is_package else module.rpartition(".")[0]
        for node in ast.walk(tree):  # imports inside functions too (they bind the same names, locally)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    out[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parts = parts[:len(parts) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                for alias in node.names:
                    out[alias.asname or alias.name] = f"{base}.{alias.name}|{base}:{alias.name}"
        return out

    # --- what each symbol names and references -----------------------------------------------------
    @staticmethod
    def _nodes(symbol: Symbol):
        """The nodes of a symbol's own code: a class's body without its methods (they are symbols too)."""
        if not isinstance(symbol.node, ast.ClassDef):
            yield from ast.walk(symbol.node)
            return
        for item in symbol.node.body:
            if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from ast.walk(item)

    def _collect(self, symbol: Symbol) -> None:
        optional_args, deferred = set(), set()
        for node in self._nodes(symbol):  # breadth first: a call is seen before its arguments
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name == "optional" and node.args and isinstance(node.args[0], ast.Constant):
                    optional_args.add(id(node.args[0]))
                if name == "deferred":  # deferred(lambda: ...): what it reaches is needed only sometimes
                    deferred.update(id(inner) for arg in node.args for inner in ast.walk(arg))
                if name in PROPERTY_MATCHERS:  # has_properties(hold_id=...) reads the attribute hold_id
                    symbol.refs.update("attr:" + keyword.arg for keyword in node.keywords if keyword.arg)
            refs = symbol.optional_refs if id(node) in deferred else symbol.refs
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in BY_NAME:
                optional = id(node) in optional_args or id(node) in deferred
                (symbol.optional if optional else symbol.required).add(node.value)
            elif isinstance(node, ast.Name):
                refs.add("name:" + node.id)
            elif isinstance(node, ast.Attribute):
                base = node.value.id if isinstance(node.value, ast.Name) else None
                refs.add(f"attr:{node.attr}" if base is None else f"dot:{base}:{node.attr}")

    def _resolve_name(self, module: str, name: str) -> list[str]:
        local = f"{module}:{name}"
        if local in self.symbols:
            return [local]
        target = self.imports.get(module, {}).get(name)
        if target is None:
            return []
        found = []
        for option in target.split("|"):
            if option in self.symbols:
                found.append(option)
        return found

    def _resolve(self, symbol: Symbol, ref: str) -> list[str]:
        kind, _, rest = ref.partition(":")
        if kind == "name":
            keys = self._resolve_name(symbol.module, rest)
            return keys + [k for key in keys for k in self._class_members(key)]
        if kind == "attr":
            return sorted(self.methods.get(rest, ()))
        base, _, attr = rest.partition(":")
        if base == "self" and symbol.cls is not None:
            own = f"{symbol.module}:{symbol.cls}.{attr}"
            return [own] if own in self.symbols else sorted(self.methods.get(attr, ()))
        target = self.imports.get(symbol.module, {}).get(base, "")
        modules = [t for t in target.split("|") if t and ":" not in t and t in self.modules]
        if modules:
            return self._resolve_name(modules[0], attr)
        return sorted(self.methods.get(attr, ()))

    def _class_members(self, key: str) -> list[str]:
        """Using a class runs its special methods (construction, context, call); its other methods are
        reached by their attribute names."""
        node = self.symbols[key].node
        if not isinstance(node, ast.ClassDef):
            return []
        return [f"{key}.{item.name}" for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("__")]

    def _edges(self, symbol: Symbol, optional: bool = False) -> list[str]:
        cache_key = (symbol.key, optional)
        if cache_key not in self._edge_cache:
            refs = symbol.optional_refs if optional else symbol.refs
            self._edge_cache[cache_key] = sorted({k for ref in refs for k in self._resolve(symbol, ref)})
        return self._edge_cache[cache_key]

    def _reach(self, starts: list[str]) -> set[str]:
        seen, todo = set(starts), list(starts)
        while todo:
            for found in self._edges(self.symbols[todo.pop()]):
                if found not in seen:
                    seen.add(found)
                    todo.append(found)
        return seen

    # --- needs ---------------------------------------------------------------------------------------
    def needs_of(self, key: str) -> Needs:
        """The entries `key` and everything it reaches name (required, optional)."""
        if key in self._closure:
            return self._closure[key]
        always = self._reach([key])
        sometimes = self._reach([k for s in always for k in self._edges(self.symbols[s], optional=True)]) - always
        required = {n for s in always for n in self.symbols[s].required}
        optional = {n for s in always for n in self.symbols[s].optional}
        optional |= {n for s in sometimes for n in self.symbols[s].required | self.symbols[s].optional}
        needs = Needs(frozenset(required), frozenset(optional - required))
        self._closure[key] = needs
        return needs

    def needs_of_function(self, func) -> Needs:
        """The needs of a step function (its file is read on first use when it is outside steps/)."""
        code = getattr(func, "__code__", None)
        if code is None:
            raise LookupError(f"o passo {func!r} não é uma função Python")
        location = (str(Path(code.co_filename).resolve()), code.co_firstlineno)
        if location not in self.by_location and Path(location[0]).is_file():
            for symbol in self._read(Path(location[0])):
                self._collect(symbol)
        if location not in self.by_location:
            raise LookupError(f"não encontrei o passo {getattr(func, '__qualname__', func)} em {location[0]}")
        return self.needs_of(self.by_location[location])


def deferred(provider):
    """Mark `provider` as code that runs only sometimes: its map needs are optional (see the module doc)."""
    return provider


def tagged(tags: Iterable[str]) -> set[str]:
    """The entries named by `@precisa:<entry>` tags (unknown names are an error: a typo would hide a need)."""
    found = {tag[len(TAG):] for tag in tags if tag.startswith(TAG)}
    unknown = sorted(found - set(BY_NAME))
    if unknown:
        raise ValueError(f"tag @precisa: com entrada desconhecida do mapa: {', '.join(unknown)}")
    return found


def scenario_needs(index: Index, scenario, registry) -> Needs:
    """What `scenario` needs: its steps' (background included) and its @precisa tags."""
    required: set[str] = set(tagged(scenario.effective_tags))
    optional: set[str] = set()
    for step in scenario.all_steps:
        match = registry.find_match(step)
        if match is None:
            continue  # an undefined step: behave reports it; it reads nothing
        needs = index.needs_of_function(match.func)
        required |= needs.required
        optional |= needs.optional
    return Needs(frozenset(required), frozenset(optional - required))
