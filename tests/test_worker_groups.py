"""The worker groups (tests/worker_groups.py): xdist's loadgroup scheduler must read each test's group as we
meant it, or a module fixture is built again on every worker that runs one of its tests (measured: the
parallel gate's behave run twice, ~4.5 s each, while the group names ended in "]")."""
from __future__ import annotations

from collections import defaultdict

from worker_groups import group_name, module_fixtures, rank
from xdist.scheduler.loadgroup import LoadGroupScheduling


def _unit(nodeid: str, group: str) -> str:
    """The unit xdist's scheduler puts a test in: its own parser of the node id (it reads only its argument)."""
    nodeid = nodeid if nodeid.endswith("@" + group) else f"{nodeid}@{group}"
    return LoadGroupScheduling._split_scope(None, nodeid)


def _group(item) -> str:
    return item.get_closest_marker("xdist_group").args[0]


def test_a_module_fixture_instances_group_is_read_as_one_unit():
    group = "tests/gate/test_x.py::" + group_name("external_stack", "external_stack=b")
    for test in ("tests/gate/test_x.py::test_one[personalidade-b]", "tests/gate/test_x.py::test_two"):
        assert _unit(test, group) == group


def test_the_scheduler_reads_every_group_of_this_run(request):
    items = request.session.items
    wrong = [(item.nodeid, _group(item)) for item in items if _unit(item.nodeid, _group(item)) != _group(item)]
    assert wrong == []


def test_the_tests_of_one_module_fixture_instance_are_one_unit_in_this_run(request):
    units = defaultdict(set)
    for item in request.session.items:
        for instance in module_fixtures(item):
            units[(item.path, instance)].add(_unit(item.nodeid, _group(item)))
    assert {key: found for key, found in units.items() if len(found) > 1} == {}


def test_this_run_hands_out_the_longest_groups_first_each_group_in_one_piece(request):
    groups = [_group(item) for item in request.session.items]
    ranks = [rank(group) for group in groups]
    assert ranks == sorted(ranks)
    runs = [group for i, group in enumerate(groups) if i == 0 or groups[i - 1] != group]
    assert len(runs) == len(set(runs))  # no group comes back after another one
