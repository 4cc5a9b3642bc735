"""Small courts for the simulation tests: a few hundred cases, a few months, so `make test` stays short."""

from __future__ import annotations

from sim.profile import CourtProfile, load_profile


def small_court(yearly: float = 300, judges: int = 1, clerks: int = 1, **update: object) -> CourtProfile:
    p = load_profile().with_intake(yearly).with_staff(承办法官=judges, 书记员=clerks)
    return p.model_copy(update={"name": "测试法院", **update}) if update else p.model_copy(update={"name": "测试法院"})
