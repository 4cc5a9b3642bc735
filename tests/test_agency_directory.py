"""The court side's 集约查询 scope (core_flow) agrees with the agencies' catalogue, and follows the notice."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core_flow.agency_directory import AgencyDirectory, inquiry_scope, registration_region
from core_flow.errors import UserError
from core_flow.protocol import AgencyGroup
from mock_agencies.catalogue import inquiry_scope as catalogue_scope
from mock_agencies.catalogue import load_catalogue
from mock_agencies.world import World

CATALOGUE = load_catalogue()
DIRECTORY = AgencyDirectory.from_json(CATALOGUE.as_json())
WORLD = World(seed=7, size=100_000)


@settings(max_examples=300, deadline=None)
@given(index=st.integers(min_value=0, max_value=99_999), court=st.sampled_from(["410811", "110105", "440304"]))
def test_both_sides_compute_the_same_scope(index, court):
    debtor = WORLD.debtor(index)
    ours = [a.code for a in inquiry_scope(DIRECTORY, debtor.id_number, court)]
    theirs = [a.code for a in catalogue_scope(CATALOGUE, debtor.id_number, court)]
    assert ours == theirs


def test_scope_is_the_notices_list_plus_the_two_places_local_banks():
    jiaozuo_person = next(d for i in range(5000) if (d := WORLD.debtor(i)).kind == "person"
                          and d.id_number.startswith("4108"))
    scope = inquiry_scope(DIRECTORY, jiaozuo_person.id_number, "110105")
    groups = [a.group for a in scope]
    assert groups.count(AgencyGroup.NATIONAL_BANK) == 21
    assert groups.count(AgencyGroup.INTERNET_FINANCE) == 3
    assert groups.count(AgencyGroup.SECURITIES) == 1
    local = [a for a in scope if a.group == AgencyGroup.LOCAL_BANK]
    assert local and all(jiaozuo_person.id_number.startswith(a.region) or "110105".startswith(a.region)
                         for a in local)
    assert any(a.region.startswith("11") for a in local) and any(a.region.startswith("41") for a in local)
    assert not any(a.group in (AgencyGroup.REAL_ESTATE, AgencyGroup.VEHICLE, AgencyGroup.EQUITY) for a in scope)


def test_number_kind_is_told_apart_without_being_told():
    """All-digit credit codes can pass the ID check digit; the birth date and province tell them apart."""
    both = 0
    for i in range(20_000):
        d = WORLD.debtor(i)
        assert registration_region(d.id_number) == (d.id_number[:6] if d.kind == "person" else d.id_number[2:8])
        both += d.kind == "company" and d.id_number.isdigit()
    assert both > 0  # the ambiguous case really occurs in the world


def test_registration_region_of_person_and_company():
    company = next(d for i in range(5000) if (d := WORLD.debtor(i)).kind == "company")
    assert registration_region(company.id_number) == company.id_number[2:8]
    with pytest.raises(UserError, match="debtor_id"):
        registration_region("12345")
    with pytest.raises(UserError, match="court_region"):
        inquiry_scope(DIRECTORY, company.id_number, "41-08")
