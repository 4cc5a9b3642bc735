"""Plugins of the composition root: counterparts (the agencies) and staff models, found by name.

A name is looked up in the entry-point group (``zhixing.counterparts``, ``zhixing.staff``); a
``module:attribute`` path loads a third party's adapter directly. Nothing here imports a plugin's package
until it is named.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol

from core_flow.errors import UserError

if TYPE_CHECKING:
    from core_flow.agency_directory import AgencyDirectory
    from core_flow.assembly.spec import CourtSpec
    from core_flow.platform import Platform

COUNTERPARTS = "zhixing.counterparts"
STAFF = "zhixing.staff"


class Counterpart(Protocol):
    """What the builder needs from the agencies' side. ``port`` serves the simulated transport (virtual clock);
    ``base_url`` the HTTP transport (real time). ``admin`` is zhixing's admin API where the counterpart is
    zhixing's mock server (virtual clock, pinned holdings), else None: features that need it are refused. A real-time
    counterpart is started with the court's clock standing at its origin (``async start(clock)``); one that keeps a
    clock of its own in step with the court's may define ``async clock_started(clock)``, called once it runs."""

    name: str
    directory: AgencyDirectory
    accounts: Any  # the court's 一案一账号 (CourtAccounts), or None
    admin: Any

    def port(self, now: Callable[[], datetime]) -> Any: ...

    def close(self) -> None: ...


class StaffFactory(Protocol):
    def __call__(self, platform: Platform, *, seed: int, **options: Any) -> Any: ...


def load_plugin(group: str, name: str) -> Any:
    """The object a plugin name stands for: an entry point of ``group``, or ``module:attribute``."""
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as err:
            raise UserError(f"无法加载插件 {name!r}：{err}", f"cannot load plugin {name!r}: {err}", where=group,
                            code="bad_plugin") from None
    found = [ep for ep in entry_points(group=group) if ep.name == name]
    if not found:
        known = sorted(ep.name for ep in entry_points(group=group))
        raise UserError(f"未知插件 {name!r}（可选：{'、'.join(known) or '无'}，或 模块:属性）",
                        f"unknown plugin {name!r} (one of: {', '.join(known) or 'none'}, or module:attribute)",
                        where=group, code="bad_plugin")
    return found[0].load()


def counterpart_factory(spec: CourtSpec) -> Callable[..., Counterpart]:
    return load_plugin(COUNTERPARTS, spec.counterpart.kind)


def staff_factory(spec: CourtSpec) -> StaffFactory | None:
    return None if spec.staff is None else load_plugin(STAFF, spec.staff.kind)
