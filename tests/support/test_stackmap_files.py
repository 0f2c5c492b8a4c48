"""The committed stack maps: canonical text (so a capture's draft and a map compare byte for byte), the
embedded map complete, staging-local's holding only what the runbook and the contract fix."""
from __future__ import annotations

from pathlib import Path

from support.stackmap import load_map
from support.stackmap.catalogue import FACTS
from support.stackmap.render import render

ROOT = Path(__file__).resolve().parents[2]
MAPS = ("embutido", "staging-local")


def loaded(name: str):
    return load_map(ROOT / "profiles" / f"{name}.mapa.toml")


def test_the_committed_maps_are_canonical():
    for name in MAPS:
        path = ROOT / "profiles" / f"{name}.mapa.toml"
        stack_map = load_map(path)
        assert render(stack_map.profile, stack_map.description, stack_map.entries) == path.read_text(encoding="utf-8"), (
            f"{path} não está na forma canônica: reescreva-o com support.stackmap.render.render")


def test_the_embedded_map_knows_every_entry_and_marks_the_sandbox_s_own_choices_as_guesses():
    embedded = loaded("embutido")
    assert all(entry.known for entry in embedded.entries.values())
    guesses = [e for e in embedded.entries.values() if e.state == "suposição"]
    assert len(guesses) > 100 and all(e.source.startswith("suposição do sandbox: sandbox/") for e in guesses)


def test_staging_local_holds_the_runbook_s_and_the_contract_s_facts_and_nothing_the_sandbox_chose():
    embedded, staging = loaded("embutido"), loaded("staging-local")
    for name, entry in staging.entries.items():
        assert entry.state in ("fato", "documentado", "desconhecido"), name
        if entry.known:  # the same fact, from the same source, in both maps
            assert embedded.entries[name] == entry, name
        else:
            assert embedded.entries[name].state == "suposição", name
            assert entry.role is None, name


def test_no_entry_is_both_a_value_and_a_group_and_groups_are_contiguous():
    names = {fact.name for fact in FACTS}
    assert not [n for n in names if any(other.startswith(n + ".") for other in names)]
    seen, previous = set(), None
    for fact in FACTS:
        if fact.group != previous:
            assert fact.group not in seen, f"o grupo {fact.group} aparece em dois lugares do catálogo"
            seen.add(fact.group)
            previous = fact.group
