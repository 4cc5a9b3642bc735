"""The certification CLI says why under a requirement not passed (its failing findings, or why it was skipped or is
not applicable), masked as the evidence is; before, a vendor saw "不适用 n/a" or "未通过 FAIL" and had to open
report.html to learn why."""

from __future__ import annotations

from zhixing.cmd_certify import _row_lines


def _finding(status: str, zh: str, en: str) -> dict:
    return {"requirement": "AG-009", "check": "deduction_release", "status": status, "zh": zh, "en": en,
            "exchanges": []}


def test_a_passed_requirement_is_one_line():
    row = {"id": "AG-001", "status": "pass", "zh": "受理请求即返回工单", "en": "a request is answered with a ticket",
           "findings": [_finding("pass", "好", "ok")]}
    # the requirement in both languages (review R5: the title was Chinese only)
    assert _row_lines(row) == [f"AG-001  {'通过 pass':<14} 受理请求即返回工单 / a request is answered with a ticket"]


def test_a_requirement_not_applicable_says_why():
    row = {"id": "AG-009", "status": "not_applicable", "zh": "扣划待处理时解除冻结暂缓执行", "en": "release waits",
           "findings": [_finding("not_applicable", "公布的措施不含 06 扣划", "publishes no 06 deduct")]}
    head, why = _row_lines(row)
    assert head.startswith("AG-009  不适用 n/a")
    assert "公布的措施不含 06 扣划" in why and "publishes no 06 deduct" in why


def test_a_failed_requirement_lists_its_failing_findings_masked():
    account = "6222021234567890123"
    row = {"id": "AG-004", "status": "fail", "zh": "冻结以可控余额为限", "en": "a freeze within the balance",
           "findings": [_finding("pass", "一项通过", "one passed"),
                        _finding("fail", f"账户 {account} 冻结超过余额", f"account {account} over its balance"),
                        _finding("fail", "未报未控余额", "no remainder reported"),
                        _finding("fail", "第三项", "third")]}
    lines = _row_lines(row)
    assert len(lines) == 3  # the line and at most two failing findings; the passed one is not said
    assert "冻结超过余额" in lines[1] and "未报未控余额" in lines[2]
    assert account not in "\n".join(lines)
