"""The reference local filing system (``create_filing_receiver``): an approved resumption pushed to it is filed;
a push that does not validate, or that the filing refuses, gets a bilingual 422 naming the field, and nothing is
filed."""

from __future__ import annotations

import re

import httpx

from core_flow.errors import UserError
from core_flow.platform import create_filing_receiver
from core_flow.platform.filing import ResumptionPush

PUSH = {"court_code": "R410811", "original_case": "(2025)豫0811执1号", "previous_handler": "张法官",
        "debtors": ["41081119900307001X"]}


def _client(filed: list[ResumptionPush], refuse: bool = False) -> httpx.AsyncClient:
    def file(push: ResumptionPush) -> str:
        if refuse:
            raise UserError("原案 X 不存在", "no case X", where="original_case")
        filed.append(push)
        return f"{push.original_case}-恢{len(filed)}"

    app = create_filing_receiver(file)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://filing.test")


async def test_a_push_is_filed_and_answered_with_the_new_case() -> None:
    filed: list[ResumptionPush] = []
    async with _client(filed) as client:
        r = await client.post("/filings/resumptions", json=PUSH)
    assert r.status_code == 201
    assert r.json() == {"case_id": "(2025)豫0811执1号-恢1", "original_case": PUSH["original_case"]}
    assert [p.debtors for p in filed] == [("41081119900307001X",)]


async def test_a_bad_push_names_its_fields_in_both_languages_and_files_nothing() -> None:
    filed: list[ResumptionPush] = []
    async with _client(filed) as client:
        r = await client.post("/filings/resumptions", json={**PUSH, "debtors": [], "original_case": None})
    assert r.status_code == 422
    error = r.json()["error"]
    assert {f["field"] for f in error["fields"]} == {"debtors", "original_case"}
    assert re.search(r"[\u4e00-\u9fff]", error["zh"]) and "invalid push" in error["en"]
    assert "debtors" in error["where"] and not filed


async def test_a_refused_filing_is_422_with_the_reason() -> None:
    filed: list[ResumptionPush] = []
    async with _client(filed, refuse=True) as client:
        r = await client.post("/filings/resumptions", json=PUSH)
    assert r.status_code == 422 and r.json()["error"]["where"] == "original_case" and not filed
