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
