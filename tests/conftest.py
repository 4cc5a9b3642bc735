"""Shared fixtures: the bundled process, the legal calendar, an engine, a runtime on virtual time."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
from hypothesis import settings

from core_flow.clocks import SimClock
from core_flow.engine import Engine
from core_flow.legal_calendar import CST, default_calendar
from core_flow.process_loader import default_process
from core_flow.runtime import Runtime
from mock_agencies import trusted

# The agencies build their answers without validating them again (mock_agencies.trusted); every test run checks
# each such object against the model's own validation, types included.
trusted.CHECK = True

# CI runs the property tests on a fixed set of examples (reproducible, never flaky between runs); developers'
# runs keep exploring new examples, and hypothesis' local database replays any failure found.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


@pytest.fixture(scope="session")
def process():
    return default_process()


@pytest.fixture(scope="session")
def engine(process):
    return Engine(process, default_calendar())


@pytest.fixture
def make_runtime(engine):
    def make(origin: datetime) -> Runtime:
        return Runtime(engine, SimClock(origin))

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test item has its own node id.

    schemathesis (4.x) on pytest 9 gives every API operation's test the same id (``…::test_every_check_passes``,
    without the operation), so a failure did not say which operation failed, and pytest-xdist — which sends items to
    its workers by id — silently ran one of them (44 of 51 agency fuzz cases were dropped in a ``--dist loadfile``
    run). The operation is put back into the id; any id still shared is a collection error, never a silent drop."""
    for item in items:
        label = getattr(item, "operation_label", None)
        node_id = getattr(item, "_id", None)
        if label and node_id is not None and getattr(node_id, "params", "") is None:
            item._id = node_id.with_params(label)
    seen: dict[str, int] = {}
    for item in items:
        seen[item.nodeid] = seen.get(item.nodeid, 0) + 1
    shared = sorted(nid for nid, n in seen.items() if n > 1)
    if shared:
        raise pytest.UsageError("测试项的节点标识重复（并行运行会只跑其中一个）/ test items share a node id "
                                "(a parallel run would run only one of them): " + "; ".join(shared[:10]))
