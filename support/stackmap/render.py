"""The canonical text of a map file: the committed maps and the capture's drafts are written by this,
so a draft and a map compare byte for byte (tests/support/test_stackmap_files.py keeps the committed
maps canonical)."""
from __future__ import annotations

import json

from .catalogue import FACTS, KINDS
from .model import Entry

HEADER = """\
# Mapa da stack — perfil {profile}
# {description}
#
# Tudo o que a suíte usa da stack e que nem o runbook (seeds/reset-environment.md) nem o contrato do CP
# (contracts/cp.md) fixam: nomes de tabelas e colunas dos WLs, chaves e formatos das respostas dos WLs,
# como os trades se correlacionam entre WLs, CP e notificações, e rotas, papéis e textos das telas.
# Os fatos do runbook estão aqui também, para o teste de prontidão conferi-los na stack.
#
# Cada entrada: valor (como a stack chama a coisa), estado (fato | documentado | capturado | suposição |
# desconhecido), origem (linha do runbook, seção do contrato, "capturado de <stack> em <data>" ou
# "suposição: ..."), papel (nas telas: o papel ARIA), nota (opcional) e nao_pode_diferir (opcional: por que
# uma suposição tem o mesmo valor nos mapas de todos os perfis embutidos). Uma entrada desconhecida não tem
# valor; os cenários que precisam dela são pulados (não provados) dizendo o nome dela.
# `python -m tools.reconhecer --perfil <perfil>` captura da stack um rascunho deste arquivo.
#
# Tipos de valor:
{kinds}
"""


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def entry_line(entry: Entry) -> str:
    leaf = entry.name.rsplit(".", 1)[1]
    fields = []
    if entry.value is not None:
        fields.append(f"valor = {_string(entry.value)}")
    if entry.role is not None:
        fields.append(f"papel = {_string(entry.role)}")
    fields.append(f"estado = {_string(entry.state)}")
    fields.append(f"origem = {_string(entry.source)}")
    if entry.note:
        fields.append(f"nota = {_string(entry.note)}")
    if entry.cannot_differ:
        fields.append(f"nao_pode_diferir = {_string(entry.cannot_differ)}")
    return f"{leaf} = {{ {', '.join(fields)} }}"


def render(profile: str, description: str, entries: dict[str, Entry]) -> str:
    """The map file for `entries` (one per catalogue fact), grouped as TOML tables in catalogue order."""
    kinds = "\n".join(f"#   {kind}: {text}" for kind, text in KINDS.items())
    out = [HEADER.format(profile=profile, description=description, kinds=kinds),
           "[mapa]", f"perfil = {_string(profile)}", f"descricao = {_string(description)}"]
    groups: dict[str, list] = {}
    for fact in FACTS:
        groups.setdefault(fact.group, []).append(fact)
    for group, facts in groups.items():
        out.append("")
        out.append(f"[{group}]")
        for fact in facts:
            out.append(f"# {fact.meaning} ({fact.kind})")
            out.append(entry_line(entries[fact.name]))
    return "\n".join(out) + "\n"
