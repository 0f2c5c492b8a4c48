"""Plugin do pytest que grava quando cada teste começou e terminou, em que processo e em que grupo
(tools/perfil_pytest.py o carrega com `-p tools.pytest_tempos` e lê o que ele grava).

Com a variável XPORY_PYTEST_TEMPOS (uma pasta), cada processo que roda testes (cada trabalhador do xdist,
ou o próprio pytest com `-n 0`) escreve `<pasta>/<processo>.jsonl`: uma linha por teste, com o início e o
fim (relógio de parede, incluindo setup e teardown das fixtures) e o grupo do xdist (tests/worker_groups.py).
Sem a variável, não faz nada.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

FOLDER = "XPORY_PYTEST_TEMPOS"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    folder = os.environ.get(FOLDER)
    started = time.time()
    yield
    if not folder:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    mark = item.get_closest_marker("xdist_group")
    row = {"worker": worker, "test": item.nodeid.split("@", 1)[0],
           "group": mark.args[0] if mark else item.nodeid.split("::", 1)[0], "start": started, "end": time.time()}
    with open(Path(folder) / f"{worker}.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
