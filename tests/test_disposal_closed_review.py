"""Review R15 of H34 (a closed case's lots are not sold on): the refusal (``case_closed_disposal``) says why for the
case's own closing manner, and a 财产保全 case's property keeps its own, more exact refusal. Virtual time only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import commands as c
from core_flow.errors import UserError
from tests.test_disposal import sealed_preservation_case
from tests.test_disposal_closed import _case, _close, _sealed


def _closed_preservation_case(monkeypatch) -> object:  # noqa: ANN001
    case = sealed_preservation_case(monkeypatch)
    for node in (3, 7, 9, 10, 18):  # nothing of the case's own frozen or open holds up its closing
        state = case.state.node(node, "")
        if state is not None and str(state.status) == "frozen":
            assert case.p.submit(c.RequestUnfreeze(case.k, node, reason="补正")).accepted
            assert case.p.submit(c.ApproveUnfreeze(case.k, node, "中院")).accepted
        case.p.submit(c.CompleteNode(case.k, node))
    out = case.p.submit(c.Close(case.k, "保全完毕", reviewed_by="审判管理办公室"))
    assert out.accepted, out.refusal
    case.court.run_for(timedelta(hours=12))
    return case


def test_a_closed_preservation_cases_property_is_refused_as_preserved_not_as_released(monkeypatch) -> None:
    """保全完毕 keeps the controls (seed 004 执行完毕 第3项): a pricing request on its sealed flat is refused for what
    it is — preserved property is held for the judgment (``disposal_not_applicable``, as before H34) — and no refusal
    says the controls were released. H34 answered ``case_closed_disposal`` "执行完毕、终结已解除控制措施"."""
    case = _closed_preservation_case(monkeypatch)
    assert case.state.closed_manner == "preservation_done"
    with pytest.raises(UserError) as err:
        case.d.price(case.k, case.asset)
    assert err.value.code == "disposal_not_applicable" and "财产保全" in err.value.zh
    with pytest.raises(UserError) as err:  # an act with no such check: refused as closed, the controls kept
        case.d.serve_report(case.k, case.asset)
    assert err.value.code == "case_closed_disposal"
    assert "解除" not in err.value.zh and "released" not in err.value.en
    assert "继续有效" in err.value.zh and "stay in force" in err.value.en


@pytest.mark.parametrize(("manner", "zh", "en"), [("终结", "已随结案解除", "released"),
                                                   ("销案", "已随结案解除", "released")])
def test_the_refusal_says_why_for_the_cases_own_manner_and_offers_no_act_the_court_cannot_take(
        manner: str, zh: str, en: str) -> None:
    """A 终结 or 销案 case: its controls were released (said for its own manner, named — H34 said "执行完毕、终结" for
    every case), and the refusal does not send the handler to withdraw a pricing request: no court API (driver,
    scenario action) takes that act; the system withdrew what was out at the closing itself."""
    case = _sealed(_case())
    _close(case, manner)
    with pytest.raises(UserError) as err:
        case.d.price(case.k, case.asset)
    assert err.value.code == "case_closed_disposal"
    assert zh in err.value.zh and en in err.value.en and manner in err.value.zh and manner in err.value.en
    assert "可撤回" not in err.value.zh and "may be withdrawn" not in err.value.en


def test_a_zhongben_cases_refusal_names_its_resumed_case() -> None:
    """终本: the controls stay in force and the property found is disposed of in the 恢复执行 case — named once filed
    (the old lot is ``moved`` there)."""
    case = _case()
    assert case.p.submit(c.CompleteNode(case.k, 36, authority="院长")).accepted
    assert case.p.submit(c.CompleteNode(case.k, 17, case.asset)).accepted
    case.court.run_for(timedelta(days=95))
    _close(case, "终本")
    case.seal()
    with pytest.raises(UserError) as err:
        case.d.price(case.k, case.asset)
    assert "继续有效" in err.value.zh and "恢复执行" in err.value.zh and "stay in force" in err.value.en
    assert case.p.submit(c.RequestResumption(case.k, "终本后查得房产")).accepted
    assert case.p.submit(c.ApproveResumption(case.k, "执行局长")).accepted
    case.court.run_for(timedelta(days=2))
    [new] = [k for k in case.court.runtime.cases if k != case.k]
    with pytest.raises(UserError) as err:
        case.d.price(case.k, case.asset)
    assert err.value.code == "case_closed_disposal" and new in err.value.zh and new in err.value.en


def _without_disposal_gate() -> object:
    """The bundled process less its 终本 gate condition PROPERTY_IN_DISPOSAL (a court's own process file may drop it):
    终本 then passes property still being disposed of."""
    from core_flow.process_loader import default_process_path, parse_process

    text = default_process_path().read_text(encoding="utf-8")
    start = text.index("  - {code: PROPERTY_IN_DISPOSAL")
    return parse_process(text[:start] + text[text.index("\n\n", start) + 1:])


def ready_for_zhongben(case) -> None:  # noqa: ANN001
    """The case's nodes a 终本 needs done (inquiries, 限消 by the 院长, the asset's control) and more than 3 months
    since filing."""
    for node in (3, 7, 9, 10, 18):
        assert case.p.submit(c.CompleteNode(case.k, node)).accepted
    assert case.p.submit(c.CompleteNode(case.k, 36, authority="院长")).accepted  # 限消: 终本 needs it
    assert case.p.submit(c.CompleteNode(case.k, 17, case.asset)).accepted
    case.court.run_for(timedelta(days=95))  # more than 3 months since filing


def resumed_with_the_lot(case):  # noqa: ANN001, ANN201
    """The 终本 case resumed (requested, approved, filed two days on): its lot moved to the 恢复执行 case — (the new
    case, its lot)."""
    assert case.p.submit(c.RequestResumption(case.k, "恢复执行")).accepted
    assert case.p.submit(c.ApproveResumption(case.k, "执行局长")).accepted
    case.court.run_for(timedelta(days=2))
    [new] = [k for k in case.court.runtime.cases if k != case.k]
    assert case.lot.stage == "moved"
    return new, case.d.lots[(new, case.asset)]


def listed_anew(case, new: str, lot) -> None:  # noqa: ANN001
    """The moved lot priced anew in the 恢复执行 case ``new`` (investigated, priced, served, fixed), the parties
    notified and its first auction listed."""
    case.d.investigate(new, case.asset)
    case.d.price(new, case.asset)
    case.court.run_for(timedelta(days=4))
    assert lot.stage == "reported"
    case.d.serve_report(new, case.asset)
    case.court.run_for(timedelta(days=7))
    assert lot.stage == "fixed"
    case.d.notify_parties(new, case.asset)
    case.court.run_for(timedelta(days=3))
    case.d.list(new, case.asset)
    assert lot.stage == "listed"


@pytest.mark.parametrize("stage", ["reported", "fixed"])
def test_a_lot_priced_in_a_zhongben_case_is_disposed_of_in_its_resumed_case(stage: str) -> None:
    """A 终本 case closed with its flat's price reported (or fixed): the 终本 case no longer advances it (H34), and its
    恢复执行 case takes the seal over with the lot — sealed, priced anew there, served, fixed and listed. H34 left the
    lot in the 终本 case (carry_over moved only sealed lots): refused there, "no property to dispose of" in the new
    case — the flat could be sold in neither (before H34 the 终本 case went on selling it)."""
    from tests.test_disposal import Case

    case = Case(process=_without_disposal_gate())
    ready_for_zhongben(case)
    if stage == "fixed":
        case.fixed()
    else:
        _sealed(case)
        case.d.price(case.k, case.asset)
        case.court.run_for(timedelta(days=4))
    assert case.lot.stage == stage
    _close(case, "终本")
    with pytest.raises(UserError) as err:
        case.d.notify_parties(case.k, case.asset) if stage == "fixed" else case.d.serve_report(case.k, case.asset)
    assert err.value.code == "case_closed_disposal"
    new, lot = resumed_with_the_lot(case)
    assert lot.stage == "sealed" and lot.reference_price_cents is None  # priced anew in the resumed case
    listed_anew(case, new, lot)
    assert str(case.court.runtime.cases[new].status(20, case.asset)) == "done"
