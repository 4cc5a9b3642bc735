"""The names a scenario may write, published from the code: event kinds, node states, authorities, closing manners and
agencies.

``markdown()`` is the catalogue section of ``scenarios/README.md`` (between the ``catalogue`` markers; a test
keeps them equal: ``python -m scenarios.catalogue`` prints it); ``schema_defs()`` are the enums of the JSON
Schema (``$defs`` ``EventKind``, ``NodeState``, ``Authority``, ``ClosingManner``, ``Agency``). A name outside them is
refused at load with the closest names (``scenarios.refs``).
"""

from __future__ import annotations

from typing import Any

from core_flow.engine import EventKind
from scenarios import refs

BEGIN = "<!-- catalogue:begin (python -m scenarios.catalogue) -->"
END = "<!-- catalogue:end -->"


def event_kinds() -> list[tuple[str, str]]:
    """(code, Chinese words) of every event kind."""
    return [(k.value, refs.EVENT_WORDS[k]) for k in EventKind]


def node_states() -> list[tuple[str, tuple[str, ...]]]:
    """(code, Chinese words) of every node state."""
    return [(s.value, words) for s, words in refs._STATES.items()]


def authorities() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(code, name, English, aliases) of every authority of the bundled process."""
    return [(a.code, a.name, a.en, a.aliases) for a in refs.process().authorities]


def manners() -> list[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]]:
    """(code, name, English, aliases, case type names) of every closing manner of the bundled process."""
    process = refs.process()
    names = {t.code: t.name for t in process.case_types}
    return [(m.code, m.name, m.en, m.aliases, tuple(names[t] for t in m.case_types or names))
            for m in process.closing_manners]


def agencies() -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """(code, name, English, group, aliases) of every agency of the catalogue."""
    return [(a.code, a.name, a.name_en, a.group.value, a.aliases) for a in refs.catalogue()]


def _words(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def schema_defs() -> dict[str, Any]:
    """Enums of the accepted names (codes and Chinese words) for the JSON Schema's ``$defs``."""
    agency_names = _words([x for a in refs.catalogue() for x in (a.code, a.name, a.full_name, *a.aliases)])
    manner_names = _words([x for code, name, _, aliases, _ in manners() for x in (code, name, *aliases)])
    return {
        "EventKind": {"type": "string", "description": "事件类型（英文代码或中文）/ event kind (code or Chinese words)",
                      "enum": _words([x for code, zh in event_kinds() for x in (code, zh)])},
        "NodeState": {"type": "string", "description": "节点状态 / node state",
                      "enum": _words([x for code, words in node_states() for x in (code, *words)])},
        "Authority": {"type": "string", "description": "审批主体：代码、名称或别名 / authority: code, name or alias",
                      "enum": _words([x for code, name, _, aliases in authorities() for x in (code, name, *aliases)])},
        "ClosingManner": {"type": "string", "description": "结案方式：代码、名称或别名 / closing manner: code, name or "
                                                           "alias", "enum": manner_names},
        "Agency": {"type": "string", "description": "协助单位代码、名称或简称 / agency code, name or short name",
                   "enum": agency_names},
    }


def markdown() -> str:
    """The README's catalogue section, generated."""
    out = [BEGIN, "", "### 名称目录 / Catalogues", "",
           "以下名称由代码生成（`python -m scenarios.catalogue`），JSON Schema 中为枚举；"
           "写错的名称在运行前报告 文件:行，并给出最接近的写法。",
           "These names are generated from the code (`python -m scenarios.catalogue`) and are "
           "enums in the JSON Schema; a misspelt one is reported as file:line before anything runs, with the closest "
           "names.", "",
           "#### 事件类型 / Event kinds (`expect_event: {kind: …}`)", "", "| 代码 code | 中文 |", "|---|---|"]
    out += [f"| `{code}` | {zh} |" for code, zh in event_kinds()]
    out += ["", "#### 节点状态 / Node states (`expect_node: {state: …}`)", "", "| 代码 code | 中文 |", "|---|---|"]
    out += [f"| `{code}` | {'、'.join(words)} |" for code, words in node_states()]
    out += ["", "#### 审批主体 / Authorities (`authority:`, `by:`)", "",
            "| 代码 code | 名称 | English | 别名 aliases |", "|---|---|---|---|"]
    out += [f"| `{code}` | {name} | {en} | {'、'.join(aliases) or '—'} |" for code, name, en, aliases in authorities()]
    out += ["", "#### 结案方式 / Closing manners (`close:`, `expect_case: {closed: …}`)", "",
            "用于其他案件类型的结案方式被拒绝（`MANNER_NOT_FOR_CASE_TYPE`，列出本案类型可用的方式）。"
            "A manner used for a case type not listed is refused, naming the manners the type may use.", "",
            "| 代码 code | 名称 | English | 别名 aliases | 案件类型 case types |", "|---|---|---|---|---|"]
    out += [f"| `{code}` | {name} | {en} | {'、'.join(aliases) or '—'} | {'、'.join(types)} |"
            for code, name, en, aliases, types in manners()]
    out += ["", "#### 协助单位 / Agencies (`agency:`)", "",
            "<details><summary>机构目录（代码、名称或简称均可）/ the agency catalogue (code, name or short name)"
            "</summary>", "",
            "| 代码 code | 名称 | English | 类别 group | 简称 aliases |", "|---|---|---|---|---|"]
    out += [f"| `{code}` | {name} | {en} | {group} | {'、'.join(aliases) or '—'} |"
            for code, name, en, group, aliases in agencies()]
    out += ["", "</details>", "", END]
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown())
