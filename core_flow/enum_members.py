"""An enum's members as plain attributes, for hot code (issue 11, point 9).

On Python 3.11 ``EnumType`` defines ``__getattr__``, so CPython sends every attribute load on an enum class
(``EventKind.FILED``) through its slow lookup hook — about 980 machine instructions against about 100 for an
instance's attribute — although the member sits in the class's dict.

The convention: a hot enum gets, next to its definition, one namespace named as the enum in upper snake case,
``EVENT_KIND = members_of(EventKind)``; hot code (the engine, platform, gateway, invariants, KPIs) reads
``EVENT_KIND.FILED`` instead of ``EventKind.FILED``, where the load is hot (run often in a court-year: counted by
line tracing); cold code (set-up, errors, rare branches, the CLI and reports), type annotations, ``isinstance``,
``EventKind(value)`` and iteration keep the enum. The namespace's attributes ARE the members (``EVENT_KIND.FILED is
EventKind.FILED``): ``is``, ``==``, hashing, pickling, JSON and pydantic see no difference.
"""

from __future__ import annotations

from enum import EnumType
from typing import Any


def members_of(enum: EnumType) -> Any:
    """A read-only namespace whose attributes are ``enum``'s members, every one (aliases too): an instance of a
    slotted class made for it (an attribute load is then a slot read); ``type(namespace)._enum_`` is ``enum`` (a
    ``_sunder_`` name: never a member's)."""
    names = tuple(enum.__members__)

    def _read_only(self: Any, name: str, *value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only / 只读")

    namespace_type = type(f"{enum.__name__}Members", (), {
        "__slots__": names, "_enum_": enum, "__setattr__": _read_only, "__delattr__": _read_only,
        "__repr__": lambda self: f"<members of {enum.__qualname__}>", "__module__": enum.__module__})
    namespace = namespace_type()
    for name, member in enum.__members__.items():
        object.__setattr__(namespace, name, member)
    return namespace
