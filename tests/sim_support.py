"""Small courts for the simulation tests: a few hundred cases, a few months, so `make test` stays short."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sim.profile import CourtProfile, load_profile


def small_court(yearly: float = 300, judges: int = 1, clerks: int = 1, **update: object) -> CourtProfile:
    p = load_profile().with_intake(yearly).with_staff(承办法官=judges, 书记员=clerks)
    return p.model_copy(update={"name": "测试法院", **update}) if update else p.model_copy(update={"name": "测试法院"})


def chromium() -> str:
    """The headless browser the offline pages are checked in; the test is skipped, saying why, where it is absent
    (``.ci/run`` installs Debian's ``chromium``)."""
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
                   None)
    if browser is None:
        pytest.skip("未找到 Chromium，跳过渲染检查（apt-get install chromium；.ci/run 会安装） / Chromium not found: "
                    "render check skipped (apt-get install chromium; .ci/run installs it)")
    return browser


def rendered_dom(page: Path, tmp_path: Path) -> str:
    """The page's DOM as headless Chromium renders it (offline: a file URL)."""
    dom = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=2000", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


def preserved_deposit(court: Any, cents: int = 50_000_00) -> str:
    """A 财产保全 case ``P`` of ``court`` (200,000 yuan) whose debtor's ICBC deposit of ``cents`` was found by the
    handler's query and frozen: the asset's key."""
    from datetime import timedelta

    from core_flow.engine import commands as c
    from core_flow.protocol import AssetKind, Holding
    from mock_agencies.world import account_number

    world, p = court.session.world, court.platform
    d = world.debtor(0)
    deposit = Holding(account_no=account_number("icbc", AssetKind.DEPOSIT, d.id_number, 1), kind=AssetKind.DEPOSIT,
                      balance_cents=cents, available_cents=cents)
    world.pin(d.id_number, "icbc", [deposit])
    p.file(c.FileCase("P", case_type="preservation", debtors=(d.id_number,), amount_cents=200_000_00),
           [d.subject()])
    asset = f"icbc:{deposit.account_no}"
    assert p.manual_query("P", d.id_number, "icbc").accepted  # the handler's query at the bank
    court.run_for(timedelta(hours=6))
    p.freeze("P", asset, cents)  # 保全: the deposit frozen
    return asset


def debtor_with_nothing(court: Any, index: int = 0) -> Any:
    """The world's debtor ``index`` holding nothing across the 集约查询's scope and at the real-estate, vehicle and
    equity registries: a test pins what it wants found on top."""
    from core_flow.agency_directory import inquiry_scope

    world, p = court.session.world, court.platform
    d = world.debtor(index)
    for a in inquiry_scope(p.directory, d.id_number, p.court.region, d.kind):
        world.pin(d.id_number, a.code, [])
    for reg in ("real_estate_registry", "vehicle_registry", "equity_registry"):
        world.pin(d.id_number, reg, [])
    return d


def staffed_court(yearly: float = 200, seed: int = 5, **actor_options: Any) -> tuple[CourtProfile, Any, Any, dict]:
    """A small court (``small_court(yearly)``) built for a run, with its staff acting (``StaffActor``, the profile's
    people and action times): (profile, court, actor, people by role)."""
    from sim import court_for_run
    from sim.profile import ROLES
    from sim.staff import Staff, WorkHours
    from sim.staff_actor import StaffActor

    profile = small_court(yearly)
    court = court_for_run.build(profile, seed=seed)
    people = {r: profile.people(r) for r in ROLES if profile.people(r)}
    actor = StaffActor(court.platform, Staff(court.clock.env, WorkHours(profile.origin, profile.periods), people),
                       profile.actions, seed=seed, judges=people["承办法官"], **actor_options)
    return profile, court, actor, people


def fake_planner_runs(monkeypatch: Any, result: Any) -> list[tuple[int, int]]:
    """The planner's ``run_units`` replaced: each unit's result is ``result(judges, replication, court)``, from its
    承办法官 count; returns the (judges, replication) of the units run, in order."""
    import sim.planner as planner

    ran: list[tuple[int, int]] = []

    def run_units(units: Any, **_: Any) -> list[dict]:
        out = []
        for u in units:
            judges = u.profile["staff"]["承办法官"]["count"]
            ran.append((judges, u.replication))
            out.append(result(judges, u.replication, u.court))
        return out

    monkeypatch.setattr(planner, "run_units", run_units)
    return ran
