"""The mock agencies sharded by debtor (mock_agencies/shards.py): the routing rule, the shard map, and the guard
that keeps each debtor's ledger in exactly one shard. Two shards run in-process (httpx's ASGI transport); the
real multi-process server (`zhixing agencies serve --processes 2`) is exercised by test_loadtests_smoke.py."""

from __future__ import annotations

import zlib
from collections import Counter
from typing import Any

import httpx
import pytest

from core_flow.errors import UserError
from core_flow.masking import mask_text
from mock_agencies.app import create_app
from mock_agencies.settings import Settings
from mock_agencies.shards import ENV_INDEX, ENV_URLS, ShardGuard, ShardMap, shard_of
from mock_agencies.world import World

URLS = ["http://127.0.0.1:9000", "http://127.0.0.1:9001"]


def _shard_client(index: int, urls: list[str] = URLS, unmask: bool = False) -> httpx.AsyncClient:
    app = create_app(Settings(time_scale=0.0, world_size=2000, background=False, profile="fast", unmask=unmask))
    guarded = ShardGuard(app, ShardMap(index, urls), unmask=unmask)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded), base_url=urls[index])


def _debtors_by_shard(count: int = 2) -> dict[int, list[dict[str, str]]]:
    out: dict[int, list[dict[str, str]]] = {i: [] for i in range(count)}
    for d in World(0, size=2000).debtors(0, 40):
        out[shard_of(d.id_number, count)].append({"kind": d.kind.value, "name": d.name, "id_number": d.id_number})
    return out


def _query(debtor: dict[str, str], n: int, **extra: Any) -> dict[str, Any]:
    return {"request_no": f"S-{n}", "court_code": "R410811", "case_no": f"(2026)豫0811执{n}号", "measure": "00",
            "subject": debtor, **extra}


def test_shard_of_is_crc32_of_the_number_and_spreads_the_world() -> None:
    number = "654003195703231072"
    assert shard_of(number, 2) == zlib.crc32(number.encode()) % 2
    assert shard_of(number.lower(), 7) == shard_of(number, 7)  # a lower-case x in an ID is the same debtor
    assert shard_of(number, 1) == 0
    spread = Counter(shard_of(d.id_number, 2) for d in World(3, size=2000).debtors(0, 2000))
    assert min(spread.values()) > 800  # both shards carry a fair share (exact counts are the hash's)


def test_shard_map_from_env() -> None:
    shards = ShardMap.from_env({ENV_INDEX: "1", ENV_URLS: ",".join(URLS)})
    assert shards is not None and shards.index == 1 and shards.count == 2
    assert ShardMap.from_env({}) is None
    with pytest.raises(UserError) as err:
        ShardMap.from_env({ENV_INDEX: "2", ENV_URLS: ",".join(URLS)})
    assert "分片序号" in err.value.zh and "shard index" in err.value.en


async def test_each_shard_publishes_the_map() -> None:
    async with _shard_client(1) as c:
        r = await c.get("/shards")
    body = r.json()
    assert r.status_code == 200 and body["count"] == 2 and body["index"] == 1 and body["hash"] == "crc32"
    assert [s["url"] for s in body["shards"]] == URLS
    assert body["shards"][1]["pid"] and body["shards"][0]["pid"] is None  # each shard knows its own pid


async def test_a_debtor_of_another_shard_is_refused_and_nothing_is_recorded() -> None:
    debtors = _debtors_by_shard()
    theirs, mine = debtors[1][0], debtors[0][0]
    async with _shard_client(0) as c:
        refused = await c.post("/agencies/icbc/requests", json=_query(theirs, 1))
        accepted = await c.post("/agencies/icbc/requests", json=_query(mine, 2))
        info = (await c.get("/admin/sessions/default")).json()
    assert refused.status_code == 421, refused.text
    error = refused.json()["error"]
    assert error["code"] == "misdirected" and error["shard"] == 1 and error["shard_url"] == URLS[1]
    assert "belongs to shard 1" in error["en"]
    # personal data masked in error bodies by default (issue 13 point 7): the region and the last 4 still show
    assert theirs["id_number"] not in refused.text
    assert mask_text(theirs["id_number"]) in error["zh"] and mask_text(theirs["id_number"]) in error["en"]
    assert mask_text(theirs["id_number"]) != theirs["id_number"]
    assert accepted.status_code == 202, accepted.text
    assert info["tickets"] == 1  # the misdirected request made no ticket and touched no ledger


async def test_the_421_body_shows_the_number_only_with_the_servers_unmask_setting() -> None:
    theirs = _debtors_by_shard()[1][0]
    async with _shard_client(0, unmask=True) as c:
        refused = await c.post("/agencies/icbc/requests", json=_query(theirs, 1))
    assert refused.status_code == 421
    assert theirs["id_number"] in refused.json()["error"]["zh"]


async def test_the_hub_fan_out_is_served_by_the_debtors_shard() -> None:
    debtor = _debtors_by_shard()[1][1]
    scope = ["icbc", "ccb", "abc"]
    async with _shard_client(0) as wrong, _shard_client(1) as owner:
        refused = await wrong.post("/agencies/zdz/requests", json=_query(debtor, 3, scope=scope))
        r = await owner.post("/agencies/zdz/requests", json=_query(debtor, 3, scope=scope))
        poll = await owner.get(f"/agencies/zdz/requests/{r.json()['ticket_id']}")
    assert refused.status_code == 421
    assert r.status_code == 202, r.text
    batch = poll.json()["feedback"]["batch"]
    assert batch["outstanding"] == 0
    assert sorted([a["agency"] for a in batch["found"]] + batch["none_found"]) == sorted(scope)


async def test_a_freeze_lives_in_one_shard_only() -> None:
    debtor = _debtors_by_shard()[0][2]
    id_number = debtor["id_number"]
    holding = {"account_no": "ICBC-LT-1", "kind": "deposit", "balance_cents": 100_000, "available_cents": 100_000}
    async with _shard_client(0) as owner, _shard_client(1) as other:
        pin = {"agency": "icbc", "id_number": id_number, "holdings": [holding]}
        assert (await other.put("/admin/sessions/default/pins", json=pin)).status_code == 421
        assert (await owner.put("/admin/sessions/default/pins", json=pin)).status_code == 200
        freeze = _query(debtor, 4, measure="01", account_no="ICBC-LT-1", amount_cents=60_000)
        assert (await other.post("/agencies/icbc/requests", json=freeze)).status_code == 421
        assert (await owner.post("/agencies/icbc/requests", json=freeze)).status_code == 202
        here = await owner.get(f"/admin/sessions/default/holdings/icbc/{id_number}")
        there = await other.get(f"/admin/sessions/default/holdings/icbc/{id_number}")
    assert here.status_code == 200 and here.json()[0]["available_cents"] == 40_000
    assert there.status_code == 421  # no second view of the debtor's ledger


async def test_a_batch_naming_debtors_of_both_shards_is_refused_whole() -> None:
    debtors = _debtors_by_shard()
    holding = {"account_no": "ICBC-LT-2", "kind": "deposit", "balance_cents": 1, "available_cents": 1}
    pins = [{"agency": "icbc", "id_number": d["id_number"], "holdings": [holding]} for d in (debtors[0][0],
                                                                                            debtors[1][0])]
    async with _shard_client(0) as c:
        r = await c.post("/admin/sessions/default/pins/batch", json={"pins": pins})
        mine = await c.get(f"/admin/sessions/default/holdings/icbc/{debtors[0][0]['id_number']}")
    assert r.status_code == 421
    assert all(h["account_no"] != "ICBC-LT-2" for h in mine.json())  # nothing of the batch was applied


async def test_one_shard_refuses_nothing() -> None:
    debtor = _debtors_by_shard()[1][0]
    async with _shard_client(0, URLS[:1]) as c:
        r = await c.post("/agencies/icbc/requests", json=_query(debtor, 5))
    assert r.status_code == 202
