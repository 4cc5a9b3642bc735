"""Personal data masked by default (issue 13, point 7): ID and account numbers in error bodies, in the journal as
the admin API shows it and in the access log; ``unmask`` shows them (local debugging); answers are not masked."""

from __future__ import annotations

import logging

from mock_agencies.masking import MaskingFilter, mask_text
from tests.test_agencies_api import NS, make_client, person


def test_ids_credit_codes_and_account_numbers_are_masked_ids_of_the_service_are_not() -> None:
    assert mask_text("debtor 410811198005171234") == "debtor 410811********1234"
    assert mask_text("91410811MA12345X7Q") == "914108********5X7Q"
    assert mask_text("6234046441081119800517123401") == "6234********************3401"  # embeds the owner's ID
    kept = "TK0000000001 F000000001 YAYZH-R410811-52ab6ec9259d 2026-03-02T09:00:00+08:00 R410811"
    assert mask_text(kept) == kept


async def _bad_freeze(unmask: bool) -> tuple[dict, dict, str, str]:
    async with make_client(unmask=unmask) as client:
        ns = NS(client, "mask")
        await ns.create(profile="fast", seed=2)
        d = await person(ns)
        other = await ns.debtor(1)
        (account,) = await ns.pin(d, "icbc", [100_000])
        freeze = await ns.accepted("icbc", ns.body(d, "01", account_no=account, amount_cents=1_000))
        await ns.advance(seconds=600)
        freeze_id = (await ns.poll("icbc", freeze["ticket_id"]))["feedback"]["freeze_id"]
        subject = {"kind": other["kind"], "name": other["name"], "id_number": other["id_number"]}
        wrong = {**ns.body(d, "04", freeze_id=freeze_id), "subject": subject}
        r = await ns.submit("icbc", wrong)  # the freeze was not taken against this debtor: the error names them
        assert r.status_code == 422, r.text
        journal = (await client.get("/admin/sessions/mask/journal")).json()
        holdings = (await client.get(f"/admin/sessions/mask/holdings/icbc/{d['id_number']}")).json()
        assert holdings[0]["account_no"] == account  # data asked for: never masked
        return r.json(), journal, other["id_number"], d["id_number"]


async def test_error_bodies_and_the_journal_are_masked_by_default() -> None:
    body, journal, id_number, _ = await _bad_freeze(unmask=False)
    text = str(body)
    assert id_number not in text and id_number[:6] + "********" + id_number[-4:] in text
    assert id_number not in str(journal)


async def test_unmask_shows_the_numbers_for_local_debugging() -> None:
    body, journal, id_number, _ = await _bad_freeze(unmask=True)
    assert id_number in str(body) and id_number in str(journal)


def test_the_access_log_is_masked() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', (
        "127.0.0.1:5000", "GET", "/admin/sessions/x/holdings/icbc/410811198005171234", "1.1", 200), None)
    assert MaskingFilter().filter(record)
    assert "410811198005171234" not in record.getMessage() and "410811********1234" in record.getMessage()


def test_numbers_written_as_text_are_not_taken_for_account_numbers():
    """A float's 16 decimals in a JSON text (a simulation's per-event CSV) were masked like an account number,
    breaking the JSON; an account number in the same text is still masked."""
    import json

    from core_flow.masking import mask_text

    text = json.dumps({"delay_seconds": 0.0012345678901234567, "account": "6222021234567890123"})
    masked = json.loads(mask_text(text))
    assert masked["delay_seconds"] == 0.0012345678901234567
    assert masked["account"] == "6222***********0123"
