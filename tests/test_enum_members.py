"""The hot code's enum namespaces (core_flow.enum_members): each holds its enum's very members, every one of them."""

from __future__ import annotations

import importlib
import pickle
import re
from enum import Enum, StrEnum

import pytest

from core_flow.enum_members import members_of

# the modules that define a namespace next to their enum (``NAME = members_of(Name)``)
MODULES = ("core_flow.engine.events", "core_flow.engine.state", "core_flow.gateway.gateway",
           "core_flow.gateway.breaker", "core_flow.ports", "core_flow.protocol", "core_flow.model",
           "core_flow.legal_calendar.periods", "mock_agencies.ledger",
           "mock_agencies.court_accounts")


def _namespaces() -> list[tuple[str, str, object]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            enum = getattr(type(value), "_enum_", None)
            if isinstance(enum, type) and issubclass(enum, Enum) and enum.__module__ == name:  # not an imported one
                found.append((name, attr, value))
    return found


NAMESPACES = _namespaces()


def test_the_hot_enums_have_their_namespace() -> None:
    names = {(module, attr) for module, attr, _ in NAMESPACES}
    assert {("core_flow.engine.events", "EVENT_KIND"), ("core_flow.engine.events", "TIMER_KIND"),
            ("core_flow.engine.state", "NODE_STATUS"), ("core_flow.gateway.gateway", "EVENT_KIND"),
            ("core_flow.gateway.gateway", "REQUEST_STATE"), ("core_flow.gateway.breaker", "BREAKER_STATE"),
            ("core_flow.ports", "OUTCOME"), ("core_flow.protocol", "MEASURE"), ("core_flow.protocol", "DEDUCT_STATUS"),
            ("core_flow.protocol", "TICKET_STATUS"), ("core_flow.model", "PER"), ("core_flow.legal_calendar.periods",
            "UNIT"), ("mock_agencies.ledger", "LEDGER_EVENT_KIND"),
            ("mock_agencies.court_accounts", "ENTRY_KIND")} <= names


@pytest.mark.parametrize(("module", "attr", "namespace"), NAMESPACES, ids=[f"{m}.{a}" for m, a, _ in NAMESPACES])
def test_a_namespace_holds_the_very_members_every_one(module: str, attr: str, namespace: object) -> None:
    enum = type(namespace)._enum_
    assert attr == re.sub(r"(?<=[a-z])(?=[A-Z])", "_", enum.__name__).upper()  # named as its enum, upper snake case
    assert set(type(namespace).__slots__) == set(enum.__members__)  # every member, aliases too; nothing else
    for name, member in enum.__members__.items():
        assert getattr(namespace, name) is member


def test_the_members_keep_what_the_enum_gives_them() -> None:
    from core_flow.engine.events import EVENT_KIND, EventKind
    from core_flow.protocol import MEASURE, Measure

    assert MEASURE.TRANSFER_DOC is Measure.TRANSFER  # an alias is the member it names
    kind = EVENT_KIND.DEADLINE_SET
    assert kind is EventKind.DEADLINE_SET and kind == "deadline_set" and isinstance(kind, EventKind)
    assert {EventKind.DEADLINE_SET: 1}[kind] == 1
    assert pickle.loads(pickle.dumps(kind)) is EventKind.DEADLINE_SET


def test_a_namespace_is_read_only() -> None:
    from core_flow.engine.state import NODE_STATUS, NodeStatus

    with pytest.raises(AttributeError):
        NODE_STATUS.DONE = NodeStatus.NOT_STARTED  # type: ignore[misc]
    with pytest.raises(AttributeError):
        NODE_STATUS.NEW = NodeStatus.DONE  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del NODE_STATUS.DONE
    assert NODE_STATUS.DONE is NodeStatus.DONE


def test_members_of_any_enum_with_an_alias() -> None:
    class Colour(StrEnum):
        RED = "r"
        GREEN = "g"
        CRIMSON = "r"  # an alias of RED

    colours = members_of(Colour)
    assert (colours.RED, colours.GREEN, colours.CRIMSON) == (Colour.RED, Colour.GREEN, Colour.RED)
    assert colours.CRIMSON is Colour.RED
    assert set(type(colours).__slots__) == {"RED", "GREEN", "CRIMSON"}
