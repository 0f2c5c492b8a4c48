"""The stack map: every fact about the stack that neither the runbook nor the CP contract fixes, declared
once per profile in `profiles/<perfil>.mapa.toml` (DESIGN.md §7).

- `catalogue`: the entries the suite knows (name, kind, meaning, where a read-only probe can check it);
- `loader`: reads a map file with `tomllib` and validates it against the catalogue (`MapError` names the
  file, the entry, what is wrong and an example);
- `model`: `StackMap`, what the code asks (`name`, `value`, `element`, `optional`), and each entry's
  readiness on the live stack (pronto / desconhecido / divergente);
- `render`: the canonical text of a map (the committed maps and the capture's drafts are written by it);
- `needs`: which entries a scenario needs, derived from the code its steps run.

Code in support/ and steps/ takes WL table/column names, undocumented response keys, correlation rules
and UI routes/labels only from here (`tests/support/test_stackmap_names.py`).
"""
from .loader import MapError, load_map, map_path
from .model import Element, FactNotReady, Readiness, StackMap, UndeclaredNeed

__all__ = ["Element", "FactNotReady", "MapError", "Readiness", "StackMap", "UndeclaredNeed", "load_map",
           "map_path"]
