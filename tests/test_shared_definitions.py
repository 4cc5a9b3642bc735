"""Defined once for both sides (issue 10, point 6): the court's side and the mock agencies use the very same
objects for the time zone, ID-number validation, the court model, the answers' result codes and the port types."""

from __future__ import annotations

import yaml

import core_flow.gateway.transport as transport
import core_flow.identity as identity
import core_flow.legal_calendar as calendar
import core_flow.platform.court as platform_court
import core_flow.ports as ports
import core_flow.protocol as protocol
import mock_agencies.auction as auction
import mock_agencies.backend as backend
import mock_agencies.catalogue as catalogue
import mock_agencies.clock as clock
import mock_agencies.identity as mock_identity
import mock_agencies.ledger as ledger
from core_flow.agency_directory import registration_region


def test_time_zone_and_as_cst_are_the_calendars() -> None:
    assert clock.CST is calendar.CST is ledger.CST is auction.CST
    assert clock.as_cst is calendar.as_cst is calendar.to_cst


def test_id_validation_is_one_function_and_both_sides_agree_on_regions() -> None:
    assert mock_identity.is_valid_id_number is identity.is_valid_id_number
    assert mock_identity.is_valid_uscc is identity.is_valid_uscc
    assert mock_identity.region_of is identity.region_of
    with mock_identity.REGIONS_FILE.open(encoding="utf-8") as fh:
        assert set(yaml.safe_load(fh)["provinces"]) == identity.PROVINCE_CODES
    person = mock_identity.make_id_number("410811", __import__("datetime").date(1980, 5, 17), 123)
    company = mock_identity.make_uscc("410811", "MA12345X")
    for number in (person, company):
        assert registration_region(number) == identity.region_of(number) == "410811"
    bad = person[:-1] + ("0" if person[-1] != "0" else "1")  # wrong check digit: not a person on either side
    assert not identity.is_valid_id_number(bad)


def test_the_court_model_and_result_codes_are_the_protocols() -> None:
    assert catalogue.Court is platform_court.Court is protocol.Court
    assert catalogue.DEFAULT_COURT is platform_court.DEFAULT_COURT is protocol.DEFAULT_COURT
    assert (backend.CODE_OK, backend.CODE_QUEUED, backend.CODE_NOTICE) == ("0000", "0001", "0003")
    assert backend.CODE_NOTICE is protocol.CODE_NOTICE


def test_port_result_types_live_on_the_protocol_side() -> None:
    assert transport.Outcome is ports.Outcome
    assert transport.SubmitResult is ports.SubmitResult and transport.PollResult is ports.PollResult
