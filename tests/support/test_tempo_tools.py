"""tools.perfil_tempo and tools.bancada on known data: sums per tag and feature, the slowest lists, the
CI stage lines of .ci/run and the README table between its markers."""
from __future__ import annotations

from tools import bancada, perfil_tempo


def scenario(name: str, feature: str, tags: list[str], steps: list[float], seconds: float) -> dict:
    return {"name": name, "feature": feature, "file": f"features/{feature}.feature", "line": 1, "tags": tags,
            "status": "passed", "seconds": seconds,
            "steps": [{"keyword": "Dado", "name": f"{name} passo {i}", "status": "passed", "seconds": s,
                       "location": "x:1"} for i, s in enumerate(steps)]}


DATA = {"total_seconds": 20.0, "startup_seconds": 0.5, "before_all_seconds": 2.0, "after_all_seconds": 0.5,
        "stack": {"perfil": "embutido", "cold_start_seconds": 1.5},
        "scenarios": [scenario("lento", "ui", ["ui", "fora-do-runbook"], [4.0, 3.0], 8.0),
                      scenario("médio", "ui", ["ui"], [2.0], 3.0),
                      scenario("rápido", "trades", ["trades"], [0.5, 0.25], 1.0)]}


def test_totals_per_tag_count_a_scenario_in_each_of_its_tags():
    by_tag = dict(perfil_tempo.totals(DATA["scenarios"], lambda s: s["tags"]))
    assert by_tag["ui"] == {"seconds": 11.0, "scenarios": 2, "steps": 9.0, "hooks": 2.0}
    assert by_tag["fora-do-runbook"]["seconds"] == 8.0 and by_tag["trades"]["scenarios"] == 1
    assert [name for name, _ in perfil_tempo.totals(DATA["scenarios"], lambda s: [s["feature"]])] == ["ui", "trades"]


def test_the_report_lists_the_slowest_first():
    text = perfil_tempo.report(DATA, top=2)
    assert "parede total 20.00 s" in text and "cenários: 12.00 s (passos 9.75 s, hooks 2.25 s)" in text
    slowest = text.split("Cenários mais lentos (top 2)")[1].splitlines()[2:4]
    assert "ui › lento" in slowest[0] and "ui › médio" in slowest[1]
    assert "rápido" not in text.split("Passos mais lentos")[1].split("Passos somados")[0]


def test_the_ci_stages_are_read_from_the_run_output():
    bench = bancada.Bench()
    output = "x\n== etapa preparação: 3.5 s\n== etapa pytest: 40,2 s\n== etapa portão: 44.0 s\n"
    bancada.ci_stages(bench, output, 90.0)
    assert bench.rows == [("`bash .ci/run` — preparação", "3,5 s"), ("`bash .ci/run` — `python -m pytest`", "40,2 s"),
                          ("`bash .ci/run` — portão (`.ci/portao`: behave e veredito)", "44,0 s"),
                          ("`bash .ci/run` — total", "90,0 s")]


def test_the_readme_table_is_replaced_between_its_markers(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text(f"antes\n{bancada.BEGIN}\nvelha\n{bancada.END}\ndepois\n", encoding="utf-8")
    monkeypatch.setattr(bancada, "README", readme)
    assert bancada.update_readme("| nova |\n")
    assert readme.read_text(encoding="utf-8") == f"antes\n{bancada.BEGIN}\n| nova |\n{bancada.END}\ndepois\n"
    readme.write_text("sem marcadores", encoding="utf-8")
    assert not bancada.update_readme("| nova |\n")
