"""The needs of a scenario are derived from the code its steps run (support/stackmap/needs.py): entry names
written in the code, followed through functions, modules, methods and properties; optional reads apart;
@precisa tags added. Checked on small synthetic projects and on the suite's own steps."""
from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from support.stackmap.needs import Index, scenario_needs, tagged

ROOT = Path(__file__).resolve().parents[2]


def project(tmp_path: Path, files: dict[str, str]) -> Index:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Index(root=tmp_path)


SUPPORT = {
    "support/__init__.py": "",
    "support/shapes.py": '''
        class Answer:
            def __init__(self, m):
                self.m = m

            @property
            def exporter_side(self):
                return self.m.name("wl.importer.buy_offer.exporter_trade_id")

        def price_column(m):
            return m.name("wl.exporter.offer.price")

        def maybe(m):
            return m.optional("wl.importer.imported_offer.unit_price")
        ''',
    "support/ui.py": '''
        from .shapes import price_column

        class Page:
            def open_page(self):
                return self._route()

            def _route(self):
                return self.m.value("ui.admin.route.trades")

            def uses_price(self):
                return price_column(self.m)
        ''',
}


def test_names_are_followed_through_functions_modules_methods_and_properties(tmp_path):
    index = project(tmp_path, {**SUPPORT, "steps/s.py": '''
        from support import shapes
        from support.shapes import Answer

        def step_price(context):
            shapes.price_column(context.m)

        def step_page(context):
            context.page.open_page()

        def step_answer(context):
            assert_that(Answer(context.m), has_properties(exporter_side="x"))

        def step_maybe(context):
            shapes.maybe(context.m)
        '''})
    needs = {name.rsplit(":", 1)[1]: index.needs_of(name) for name in index.symbols if name.startswith("steps.s:")}
    assert needs["step_price"].required == {"wl.exporter.offer.price"}
    assert needs["step_page"].required == {"ui.admin.route.trades"}  # open_page -> self._route, not uses_price
    assert needs["step_answer"].required == {"wl.importer.buy_offer.exporter_trade_id"}  # the property, by keyword
    assert needs["step_maybe"].required == set() and needs["step_maybe"].optional == {
        "wl.importer.imported_offer.unit_price"}


def test_constructing_a_class_does_not_need_what_its_other_methods_read(tmp_path):
    index = project(tmp_path, {**SUPPORT, "steps/s.py": '''
        from support.shapes import Answer

        def step_build(context):
            return Answer(context.m)
        '''})
    assert index.needs_of("steps.s:step_build").required == set()


def test_a_step_function_is_found_by_its_code_and_a_file_outside_the_index_is_read_on_first_use(tmp_path):
    index = project(tmp_path, SUPPORT)
    outside = tmp_path / "elsewhere" / "extra_steps.py"
    outside.parent.mkdir()
    outside.write_text('@given("x")\ndef step(context):\n    from support.shapes import price_column\n\n'
                       '    price_column(context.m)\n', encoding="utf-8")
    namespace: dict = {"given": lambda text: (lambda f: f)}
    exec(compile(outside.read_text(), str(outside), "exec"), namespace)
    assert index.needs_of_function(namespace["step"]).required == {"wl.exporter.offer.price"}


def test_tags_add_needs_and_an_unknown_tagged_entry_is_an_error():
    assert tagged(["trades", "precisa:wl.exporter.offer.price"]) == {"wl.exporter.offer.price"}
    with pytest.raises(ValueError, match=r"wl\.exporter\.offer\.preco"):
        tagged(["precisa:wl.exporter.offer.preco"])


def test_a_scenario_needs_what_its_steps_need_and_its_tags():
    index = Index()
    registry = SimpleNamespace(find_match=lambda step: step.match)

    def step_of(func):
        return SimpleNamespace(match=SimpleNamespace(func=func))

    from steps import preflight_steps, trades_steps

    scenario = SimpleNamespace(effective_tags=["precisa:ui.admin.route.trades"],
                               all_steps=[step_of(trades_steps.step_try_buy), step_of(preflight_steps.step_hold)])
    needs = scenario_needs(index, scenario, registry)
    assert {"ui.admin.route.trades", "wl.importer.buy_offer.ok", "wl.exporter.preflight.hold_id",
            "wl.exporter.preflight.request.origin_offer_id"} <= needs.required
    assert "wl.importer.buy_offer.exporter_trade_id" not in needs.required  # a refused purchase has no trade ids


def test_every_method_that_reads_the_map_has_a_name_no_other_support_method_has():
    """Attributes are followed by name (support/stackmap/needs.py): a map-reading method that shared its
    name with another method would give every caller of the other one its needs."""
    index = Index()
    clashes = []
    for name, keys in index.methods.items():
        readers = [k for k in keys if index.symbols[k].required or index.symbols[k].optional]
        if readers and len(keys) > 1 and not name.startswith("__"):
            clashes.append(f"{name}: {sorted(keys)}")
    assert clashes == []


def test_no_scenario_outside_ui_needs_an_admin_ui_or_storefront_entry():
    """A scenario that does not open the browser must not be skipped for UI entries a stack has not mapped:
    every step it runs may need `ui.*` entries only optionally (e.g. one typed step with a branch per screen,
    support/stackmap/needs.py `deferred`)."""
    import importlib

    from behave.parser import parse_file
    from behave.step_registry import registry

    for module in sorted(p.stem for p in (ROOT / "steps").glob("*_steps.py")):
        importlib.import_module(f"steps.{module}")
    index, offenders = Index(), []
    for path in sorted((ROOT / "features").glob("*.feature")):
        for scenario in parse_file(str(path)).walk_scenarios():
            if "ui" in scenario.effective_tags:
                continue
            ui = sorted(n for n in scenario_needs(index, scenario, registry).required if n.startswith("ui."))
            if ui:
                offenders.append(f"{path.name}:{scenario.line} {scenario.name}: {', '.join(ui)}")
    assert offenders == []
