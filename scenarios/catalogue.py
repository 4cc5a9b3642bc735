"""The names a scenario may write, published from the code: event kinds, node states, authorities, closing manners,
asset kinds and agencies.

``markdown()`` is the catalogue section of ``scenarios/README.md`` (between the ``catalogue`` markers; a test
keeps them equal: ``python -m scenarios.catalogue`` prints it); ``schema_defs()`` are the enums of the JSON
Schema (``$defs`` ``EventKind``, ``NodeState``, ``Authority``, ``ClosingManner``, ``AssetKind``, ``Agency``). A name
outside them is refused at load with the closest names (``scenarios.refs``).
"""

from __future__ import annotations

from typing import Any

from core_flow.engine import EventKind
from core_flow.protocol import MONEY_KINDS, AssetKind, Measure
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


def asset_kinds() -> list[tuple[str, tuple[str, ...], str, tuple[str, ...]]]:
    """(code, Chinese words, how the court controls and realises it, the registries of that kind) of every asset
    kind: money is frozen and deducted (node 31); other property is sealed at a registry that seals (real estate,
    vehicles) or frozen (equity, securities), then disposed of (nodes 19–30)."""
    out = []
    for k in AssetKind:
        words = tuple(w for w, v in refs._KIND_INDEX.items() if v is k and not w.isascii())
        registries = () if k is AssetKind.OTHER else tuple(a for a in refs.catalogue() if a.group.value == k.value)
        if k in MONEY_KINDS:
            how = "`freeze` → `deduct`（划拨，节点31）/ frozen, then deducted (node 31)"
        elif not registries:
            how = "—"
        else:
            seals = all(a.supports(Measure.SEAL) and not a.supports(Measure.FREEZE) for a in registries)
            how = (f"`{'seal' if seals else 'freeze'}` → 处置（节点19–30：`price`、`list_auction`…）/ "
                   f"{'sealed' if seals else 'frozen'}, then disposed of (nodes 19–30)")
        out.append((k.value, words, how, tuple(a.code for a in registries)))
    return out


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
        "AssetKind": {"type": "string", "description": "财产种类（英文代码或中文）/ asset kind (code or Chinese words)",
                      "enum": _words([x for code, words, _, _ in asset_kinds() for x in (code, *words)])},
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
    out += ["", "#### 财产种类 / Asset kinds (`holdings: [{kind: …}]`)", "",
            "缺省为存款。金钱类财产冻结后划拨；其他财产由其登记机关查封或冻结，再经询价、拍卖处置。"
            "The default is a deposit. Money is frozen, then deducted; other property is sealed or frozen at its "
            "registry, then priced and sold.", "",
            "| 代码 code | 中文 | 控制与变价 controlled and realised | 登记机关 registry |", "|---|---|---|---|"]
    out += [f"| `{code}` | {'、'.join(words)} | {how} | {'、'.join(f'`{r}`' for r in registries) or '—'} |"
            for code, words, how, registries in asset_kinds()]
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
