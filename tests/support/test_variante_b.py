"""The second personality of the sandbox (profile embutido-b, issue 15): its map differs from embutido's in
every guessed entry (suposição/desconhecido), unless the entry says why it cannot (`nao_pode_diferir`),
and agrees with it on everything the runbook and the CP contract fix. So a new guessed fact cannot slip
in without the variant differing too."""
from __future__ import annotations

from pathlib import Path

from support import config
from support.stackmap import load_map

ROOT = Path(__file__).resolve().parents[2]
GUESSED = ("suposição", "desconhecido")


def maps():
    return (load_map(ROOT / "profiles" / "embutido.mapa.toml"), load_map(ROOT / "profiles" / "embutido-b.mapa.toml"))


def test_every_guessed_entry_differs_between_embutido_and_embutido_b_unless_it_says_why_not(capsys):
    a, b = maps()
    same, differing, excused = [], [], []
    for name, entry in a.entries.items():
        other = b.entries[name]
        if entry.state not in GUESSED and other.state not in GUESSED:
            continue
        if (entry.value, entry.role) != (other.value, other.role):
            differing.append(name)
        elif entry.cannot_differ and entry.cannot_differ == other.cannot_differ:
            excused.append(name)
        else:
            same.append(name)
    with capsys.disabled():
        print(f"\nmapas embutido × embutido-b: {len(differing)} entradas supostas diferem, "
              f"{len(excused)} não podem diferir (nao_pode_diferir), {len(same)} iguais sem razão")
    assert not same, ("entradas supostas com o mesmo valor nos dois mapas (mude a personalidade b em "
                      "sandbox/personality.py e profiles/embutido-b.mapa.toml, ou diga por quê em nao_pode_diferir): "
                      + ", ".join(same))
    assert len(differing) > 100


def test_what_the_runbook_and_the_contract_fix_is_the_same_in_both_maps():
    a, b = maps()
    for name, entry in a.entries.items():
        if entry.state in GUESSED:
            continue
        assert b.entries[name] == entry, name


def test_an_entry_that_cannot_differ_says_why_in_both_maps_and_only_when_it_is_a_guess():
    a, b = maps()
    for name, entry in a.entries.items():
        other = b.entries[name]
        assert entry.cannot_differ == other.cannot_differ, name
        if entry.cannot_differ:
            assert entry.state in GUESSED and len(entry.cannot_differ) > 40, name


def test_the_b_profile_differs_from_embutido_only_in_the_sandbox_personality(tmp_path):
    environ = {"XPORY_RUNTIME_DIR": str(tmp_path)}
    a, b = config.load("embutido", environ), config.load("embutido-b", environ)
    changed = {k for k in set(a.values) | set(b.values) if a.values.get(k) != b.values.get(k)}
    assert changed == {"XPORY_PERFIL", "XPORY_SANDBOX_UP_ARGS"}
    assert b.values["XPORY_SANDBOX_UP_ARGS"] == "--variante b" and a.get("XPORY_SANDBOX_UP_ARGS") is None
