"""Speed (issue 11 point 9, H76): the simulated staff's reactions are subscribed kind by kind, each ``_ev_<kind>``
method itself, not one dispatcher (``Clerk._on_event``) that looks the kind up at each of the ~150,000 events a
court-year it reacts to — in the same place of each kind's listeners, so the order of reactions is unchanged."""

from __future__ import annotations

from core_flow.engine import EventKind
from tests.sim_support import staffed_court


def test_each_reaction_is_subscribed_to_its_own_kind_as_the_method_itself():
    _, court, actor, _ = staffed_court()
    by_kind = court.runtime._by_kind
    kinds = type(actor).reacts_to()
    assert EventKind.NODE_DONE in kinds and EventKind.FILED in kinds
    for kind in kinds:
        mine = [listener for listener in by_kind[kind] if getattr(listener, "__self__", None) is actor]
        assert mine == [getattr(actor, f"_ev_{kind.value}")], kind
    for kind, listeners in by_kind.items():
        if kind not in kinds:  # nothing of the actor's where it has no reaction
            assert all(getattr(listener, "__self__", None) is not actor for listener in listeners), kind
