"""Immutable records that are cheap to make: a frozen, slotted dataclass whose ``__init__`` sets its slots directly.

A frozen dataclass's generated ``__init__`` goes through ``object.__setattr__`` once per field, which makes it about
four times dearer than a plain one; a year-scale run makes millions of events, timers and commands. ``fast_init``
replaces that ``__init__`` by one that calls each slot's descriptor (``Class.field.__set__``) — the same effect
(the record stays frozen: assigning an attribute afterwards still raises ``FrozenInstanceError``, and equality,
hashing and ``repr`` are the dataclass's own), about twice as fast. Defaults, default factories and
``__post_init__`` are honoured; ``InitVar``, keyword-only and ``init=False`` fields are refused at import time.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, TypeVar

T = TypeVar("T")


def fast_init(cls: type[T]) -> type[T]:
    """Give the frozen, slotted dataclass ``cls`` the faster ``__init__`` (use below ``@dataclass``)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: fast_init is for frozen, slotted dataclasses")
    fields = dataclasses.fields(cls)
    generated = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    if generated != [f.name for f in fields]:  # an InitVar, or a field left out of __init__
        raise TypeError(f"{cls.__name__}: fast_init takes plain init fields only ({generated})")
    env: dict[str, Any] = {}
    signature, body = [], []
    for f in fields:
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: fast_init takes positional init fields only")
        env[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is not dataclasses.MISSING:
            env[f"_default_{f.name}"] = f.default
            signature.append(f"{f.name}=_default_{f.name}")
            body.append(f"    _set_{f.name}(self, {f.name})")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_factory_{f.name}"] = f.default_factory
            signature.append(f"{f.name}=_MISSING")
            body.append(f"    _set_{f.name}(self, _factory_{f.name}() if {f.name} is _MISSING else {f.name})")
        else:
            signature.append(f.name)
            body.append(f"    _set_{f.name}(self, {f.name})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    env["_MISSING"] = dataclasses.MISSING
    source = f"def __init__(self, {', '.join(signature)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, env)  # noqa: S102 - generated from the dataclass's own field names, as dataclasses does
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[misc]
    return cls
