"""How the tests are spread over pytest-xdist's workers (pytest.ini: `-n 3 --dist loadgroup`): each test gets an
`xdist_group` mark (tests/conftest.py) named by what it shares, so a stack or a module fixture is made once."""
from __future__ import annotations

# Session-wide stacks: every test that uses one runs in the same worker, so each starts once per run.
# A fixture name in a test's fixtures, or a module-level getter a test file imports.
SHARED_STACK_FIXTURES = ("sandbox_session", "postgres")
SHARED_STACK_GETTERS = {"get_real_stack": "real_stack", "get_stack": "wl_stack"}
# The groups of the gate tests run behave, a CI script or the suite itself as a process: the longest units
# (3-17 s, most of them a single test). xdist hands the units out in the order of the collection
# (pytest.ini: --no-loadscope-reorder; its default sorts them by number of tests, which put these last and
# left one worker running them alone at the end), so they go first, then the shared stacks, then the rest.
LONGEST_FIRST = ("tests/gate/", *SHARED_STACK_FIXTURES, *SHARED_STACK_GETTERS.values())


def xdist_group(item) -> str:
    """The worker group of a test by what it shares: a session stack it shares with other files (its name),
    else its own file (`module_groups` then splits a file by its module-scoped fixtures)."""
    for name in SHARED_STACK_FIXTURES:
        if name in getattr(item, "fixturenames", ()):
            return name
    module = getattr(item, "module", None)
    for getter, group in SHARED_STACK_GETTERS.items():
        if module is not None and getattr(module, getter, None) is not None:
            return group
    return item.nodeid.split("::", 1)[0]


def module_fixtures(item) -> set[str]:
    """The module-scoped fixture instances a test uses, directly or through other fixtures: each fixture's
    name with the parameters of the module-scoped fixtures of the test (a fixture that depends on a
    parametrized one has one instance per parameter)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    params = getattr(getattr(item, "callspec", None), "params", {})
    scoped = [name for name in getattr(item, "fixturenames", ())
              if (defs := info.name2fixturedefs.get(name)) and defs[-1].scope == "module"]
    suffix = ",".join(f"{name}={params[name]}" for name in sorted(scoped) if name in params)
    return {group_name(name, suffix) for name in scoped}


def module_groups(items) -> dict:
    """Split each file's group into parts that share no module-scoped fixture instance (e.g. the behave run
    of one personality and the other's), so different workers run them at once and each instance is still
    made once. Tests that use none stay together, in the file's own group."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    uses = {}
    for item in items:
        group = xdist_group(item)
        split = group == item.nodeid.split("::", 1)[0]  # a file's group; a shared stack's stays whole
        keys = {f"{group}::{key}" for key in module_fixtures(item) if split} or {group}
        first, *rest = sorted(keys)
        for key in rest:
            parent[find(key)] = find(first)
        uses[item] = first
    return {item: find(first) for item, first in uses.items()}


def group_name(fixture: str, params: str) -> str:
    """The group of the tests of one module-scoped fixture instance. No "]" in it: xdist's loadgroup reads the
    group after the last "@" of a node id only when no "]" follows it (a parametrized test's id), so a name
    like "fixture[...]" made each test its own unit, and each worker that ran one of them built the fixture
    again."""
    return f"{fixture}({params})"


def rank(group: str) -> int:
    """Where a group goes: the index of the first LONGEST_FIRST head it starts with, else after them all."""
    return next((i for i, head in enumerate(LONGEST_FIRST) if group.startswith(head)), len(LONGEST_FIRST))


def longest_first(groups: dict) -> list:
    """The tests (the keys of `groups`, in collection order) reordered group by group: the groups that
    LONGEST_FIRST names first, in its order, each group's tests together and in their own order."""
    first_seen = {group: i for i, group in reversed(list(enumerate(groups.values())))}
    return sorted(groups, key=lambda item: (rank(groups[item]), first_seen[groups[item]]))
