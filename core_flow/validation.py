"""pydantic validation errors as bilingual field messages (Chinese first, English beside it).

Every HTTP endpoint of zhixing — the mock agencies, the court's callback receiver, the reference filing
receiver — answers a body that does not validate with 422 and the same error shape: ``{"error": {code,
where, zh, en, message, fields: [{field, type, zh, en}]}}``.
"""

from __future__ import annotations

import re
from typing import Any

# pydantic error type → Chinese text (English comes from pydantic's own message)
ZH: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "长度不得少于 {min_length}",
    "string_too_long": "长度不得超过 {max_length}",
    "string_pattern_mismatch": "格式应符合 {pattern}",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "enum": "取值应为 {expected}",
    "literal_error": "取值应为 {expected}",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为数组",
    "tuple_type": "应为数组",
    "too_short": "元素个数不得少于 {min_length}",
    "too_long": "元素个数不得超过 {max_length}",
    "json_invalid": "JSON 格式错误",
    "json_type": "应为 JSON",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "time_parsing": "应为时刻（HH:MM）",
    "none_required": "应为空",
    "url_parsing": "应为 URL",
}


_LEADING_FIELD = re.compile(r"^([a-z][a-z0-9_]*) ")


def field_messages(errors: list[dict[str, Any]], *, drop_body: bool = False) -> list[dict[str, Any]]:
    """pydantic's ``errors()`` → ``[{field, type, zh, en}]``. A validator's own ``"中文 / English"`` message is
    split into its two halves (and names the field it starts with); other errors get the Chinese text of their
    type. ``drop_body``: the location without the leading ``body``."""
    fields = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        typ = str(e.get("type", ""))
        if typ == "json_invalid":  # loc is ("body", <character offset>): the body as a whole is at fault
            loc = loc[:1]
        if drop_body and loc and loc[0] == "body":
            loc = loc[1:]
        field = ".".join(loc) or "body"
        en = str(e.get("msg", "invalid"))
        ctx = e.get("ctx") or {}
        if typ == "value_error":  # our validators write "中文 / English" and start with the field name
            text = en.removeprefix("Value error, ")
            zh, _, en_part = text.partition("/ ")
            zh, en = zh.strip(), (en_part or text).strip()
            named = _LEADING_FIELD.match(text)
            if named:
                field = ".".join([*loc, named.group(1)])
        else:
            template = ZH.get(typ, "字段无效")
            try:
                zh = template.format(**{k: v for k, v in ctx.items()})
            except (KeyError, IndexError, ValueError):
                zh = template
        fields.append({"field": field, "type": typ, "zh": zh, "en": en})
    return fields




def validation_error_body(fields: list[dict[str, Any]], zh_head: str, en_head: str) -> dict[str, Any]:
    """The 422 body for ``fields``: ``zh_head`` / ``en_head`` (e.g. "请求无效：" / "invalid request: ") then
    each field with its message."""
    where = ", ".join(f["field"] for f in fields) or None
    zh = zh_head + "；".join(f"{f['field']}：{f['zh']}" for f in fields)
    en = en_head + "; ".join(f"{f['field']}: {f['en']}" for f in fields)
    return {"error": {"code": "validation", "where": where, "zh": zh, "en": en,
                      "message": f"{where}: {zh} / {en}" if where else f"{zh} / {en}", "fields": fields}}
