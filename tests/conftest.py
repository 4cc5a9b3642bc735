"""Shared fixtures: the bundled process, the legal calendar, an engine, a runtime on virtual time."""

from __future__ import annotations

from datetime import datetime

import pytest

from core_flow.clocks import SimClock
from core_flow.engine import Engine
from core_flow.legal_calendar import CST, default_calendar
from core_flow.process_loader import default_process
from core_flow.runtime import Runtime


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
