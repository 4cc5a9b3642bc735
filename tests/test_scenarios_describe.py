"""What the reports say a step did: money inside a step's nested arguments in yuan (a pin's holdings once read
``amount: 1200000`` for 12,000 yuan), and an invalid ID number in a load error masked like every other."""

from __future__ import annotations

from scenarios.describe import arguments
from scenarios.loader import parse_text

TEXT = """\
name: 描述
case:
  number: (2025)豫0811执7001号
  amount: 1000
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - pin: {agency: 招行, debtor: 甲, holdings: [{amount: 12000, as: 招行存款}]}
"""


def test_a_pins_holdings_are_shown_in_yuan():
    (sc,), bad = parse_text(TEXT, "t.scenario.yaml")
    assert not bad
    said = arguments(sc.steps[0])
    assert "12,000.00元" in said and "1200000" not in said


def test_an_invalid_id_number_is_masked_in_the_load_error():
    text = TEXT.replace("{as: 甲, world: 1}", '{as: 甲, id: "410811199001011234", name: 甲}')
    _, bad = parse_text(text, "t.scenario.yaml")
    said = " ".join(f"{p.zh} {p.en}" for p in bad)
    assert "校验位不符" in said and "410811********1234" in said and "410811199001011234" not in said
    assert "末位应为 " in said and "the last should be" in said  # which check character it should end with


def test_a_number_wrong_beyond_its_check_character_is_not_said_to_be_a_check_digit_slip():
    text = TEXT.replace("{as: 甲, world: 1}", '{as: 甲, id: "41081119901301123X", name: 甲}')  # month 13
    _, bad = parse_text(text, "t.scenario.yaml")
    said = " ".join(f"{p.zh} {p.en}" for p in bad)
    assert "校验位不符" not in said and "出生日期" in said and "GB 32100" in said
    assert "41081119901301123X" not in said
