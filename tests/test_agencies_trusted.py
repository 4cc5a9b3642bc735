"""The agencies' answers built without validating them again (``mock_agencies.trusted``): the same objects as
validation makes, and the check mode every test run uses (tests/conftest.py) catches a caller passing what
validation would have changed or refused."""

from __future__ import annotations

import hashlib
import pickle
from datetime import datetime

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core_flow.legal_calendar import CST
from core_flow.protocol import (
    CODE_OK,
    AssetKind,
    ControlResult,
    ExistingFreeze,
    Feedback,
    FreezeState,
    Holding,
    Measure,
    Ticket,
    TicketStatus,
)
from mock_agencies import trusted as trusted_module
from mock_agencies.trusted import trusted

AT = datetime(2025, 3, 3, 9, 30, tzinfo=CST)


def _answer() -> dict[str, object]:
    shown = ExistingFreeze(freeze_id="F1", court_code="C1", case_no="K1", amount_cents=5, state=FreezeState.QUEUED,
                           queue_position=2, expires_at=AT)
    return dict(ticket_id="TK0000000001", request_no="R1", agency="icbc", measure=Measure.FREEZE, answered_at=AT,
                ok=True, code=CODE_OK, message="已冻结", control_result=ControlResult.CONTROLLED, freeze_id="F2",
                freeze_state=FreezeState.ACTIVE, amount_requested_cents=100, amount_controlled_cents=100,
                unsecured_remainder_cents=0, expires_at=AT, existing_freezes=(shown,))


def test_the_suite_runs_in_check_mode():
    assert trusted_module.CHECK  # tests/conftest.py: every trusted construction of every test is checked


def test_a_trusted_answer_is_the_validated_one():
    values = _answer()
    built, validated = trusted(Feedback)(**values), Feedback(**values)
    assert built == validated
    assert repr(built) == repr(validated)
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_dump(mode="json") == validated.model_dump(mode="json")
    assert built.model_fields_set == validated.model_fields_set == set(values)
    assert hash(built) == hash(validated)
    assert pickle.loads(pickle.dumps(built)) == validated
    assert built.model_copy(update={"ok": False}) == validated.model_copy(update={"ok": False})
    with pytest.raises(ValidationError):  # frozen like any other
        built.ok = False  # type: ignore[misc]
    ticket = dict(ticket_id="TK1", request_no="R1", agency="icbc", measure=Measure.QUERY,
                  status=TicketStatus.ACCEPTED, accepted_at=AT)
    assert trusted(Ticket)(**ticket) == Ticket(**ticket)
    assert trusted(Ticket)(**ticket).duplicate is False  # the default filled in


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"existing_freezes": []}, "existing_freezes"),  # validation makes a tuple of a list
        ({"code": "0000"}, "code"),  # … a result code of its string
        ({"measure": "01"}, "measure"),
        ({"amount_controlled_cents": True}, None),  # refused by validation (strict int)
    ],
)
def test_the_check_mode_catches_what_validation_would_change(monkeypatch, change, field):
    monkeypatch.setattr(trusted_module, "CHECK", True)
    make = trusted(Feedback)
    with pytest.raises((AssertionError, ValidationError)) as caught:
        make(**{**_answer(), **change})
    if field is not None:
        assert f"Feedback.{field}" in str(caught.value)


def test_the_check_mode_checks_every_model(monkeypatch):
    monkeypatch.setattr(trusted_module, "CHECK", True)
    holding = dict(account_no="62", kind=AssetKind.DEPOSIT, balance_cents=5, available_cents=5)
    trusted(Holding)(**holding)  # canonical: passes
    with pytest.raises(AssertionError, match="Holding.kind"):
        trusted(Holding)(**{**holding, "kind": "deposit"})
    with pytest.raises(AssertionError, match="Holding.existing_freezes"):
        trusted(Holding)(**{**holding, "existing_freezes": list(_answer()["existing_freezes"])})  # type: ignore[call-overload]


def test_unknown_or_missing_fields_are_refused_in_check_mode(monkeypatch):
    monkeypatch.setattr(trusted_module, "CHECK", True)
    with pytest.raises(ValidationError):
        trusted(Feedback)(**{**_answer(), "colour": "red"})
    values = _answer()
    del values["answered_at"]
    with pytest.raises(ValidationError):
        trusted(Feedback)(**values)


def test_models_that_cannot_be_trusted():
    class Listed(BaseModel):
        model_config = ConfigDict(frozen=True)
        items: list[int] = Field(default_factory=list)

    class Shared(BaseModel):
        items: list[int] = []  # noqa: RUF012 - the point: a mutable default

    class Open(BaseModel):
        model_config = ConfigDict(extra="allow")

    for model in (Listed, Shared, Open):
        with pytest.raises(TypeError):
            trusted(model)


def test_a_retired_tickets_digest_is_that_of_the_requests_json():
    """``request_digest`` hashes the serializer's bytes directly: the same 8 bytes as ``model_dump_json()`` gives
    (digests saved by earlier code, in a restored namespace, still recognise their requests)."""
    from core_flow.protocol import ControlRequest, Subject, SubjectKind
    from mock_agencies.tickets import request_digest

    subject = Subject(kind=SubjectKind.PERSON, name="张三·测试", id_number="11010519491231002X")
    requests = [
        ControlRequest(request_no="Q1", court_code="C1", case_no="(2026)京0105执1号", measure=Measure.QUERY,
                       subject=subject, scope=("icbc", "ccb")),
        ControlRequest(request_no="F1", court_code="C1", case_no="K1", measure=Measure.FREEZE, subject=subject,
                       account_no="62", amount_cents=12345, term_days=365, callback_url="http://127.0.0.1:9/cb"),
        ControlRequest(request_no="D1", court_code="C1", case_no="K1", measure=Measure.DEDUCT, subject=subject,
                       freeze_id="F-1", amount_cents=5, target_account="T1"),
    ]
    digests = set()
    for request in requests:
        expected = hashlib.blake2b(request.model_dump_json().encode(), digest_size=8).digest()
        assert request_digest(request) == expected
        digests.add(expected)
    assert len(digests) == len(requests)


def test_a_model_with_validators_of_its_own_cannot_be_trusted():
    """A model or field validator is a check of the model's own that trusted construction would skip in production
    (the check mode runs it in tests only): such a model is refused when the constructor is made (review R29)."""

    class Checked(BaseModel):
        model_config = ConfigDict(frozen=True, extra="forbid")
        low: int
        high: int

        @model_validator(mode="after")
        def _ordered(self) -> Checked:
            if self.low > self.high:
                raise ValueError("low > high")
            return self

    class Trimmed(BaseModel):
        model_config = ConfigDict(frozen=True, extra="forbid")
        name: str

        @field_validator("name")
        @classmethod
        def _trim(cls, value: str) -> str:
            return value.strip()

    for model in (Checked, Trimmed):
        with pytest.raises(TypeError, match="validators"):
            trusted(model)
