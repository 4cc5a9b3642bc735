"""What the agencies' OpenAPI says about each operation, in one place: the statuses a route may answer besides
its own (so that the schema tells the whole truth), the error body of each, the ``Allow`` list of a path, and
the callback addresses this server accepts (its allow-list, stated as the ``callback_url`` pattern).

* every operation: 400 / 401 / 403 / 413 (answered before a route runs: unreadable body, tokens, cross-site,
  body limit) and, if it takes any parameter or body, 422 (the project's bilingual error body, not FastAPI's);
* 429 where a request may create a namespace (``X-Zhixing-Session`` or ``/admin/sessions/{namespace}…``) and
  the server already keeps ``max_sessions``;
* 421 where :class:`~mock_agencies.shards.ShardGuard` checks a debtor number (served as several shards);
* every 4xx / 5xx an operation declares carries the error body's schema.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from mock_agencies.callback_doc import describe_callbacks
from mock_agencies.callback_policy import CallbackPolicy
from mock_agencies.operation_doc import describe_operations
from mock_agencies.routers.control import ErrorBody

_BEFORE_ROUTE: dict[str, str] = {
    "400": "请求体不是合法 JSON 等 / malformed request body",
    "401": "配置了令牌时缺少或无效 / token missing or invalid (when tokens are configured)",
    "403": "令牌无权访问此命名空间或法院，或跨站请求 / token not allowed here, or a cross-site request",
    "413": "请求体超过上限 / request body too large",
}
_INVALID = "请求无效（字段级说明）/ invalid request (per field)"
_TOO_MANY = (
    "命名空间已达上限（max_sessions），新命名空间未建立 / the server already keeps max_sessions namespaces: no new "
    "one was created"
)
_MISDIRECTED = (
    "多分片部署时，被执行人的台账在另一分片（error.shard_url）/ served as shards: the debtor belongs to another "
    "shard (error.shard_url)"
)
_UNKNOWN = "未知的机构、工单或其他资源 / unknown agency, ticket or other resource"
_DROP = ("/admin/sessions/{namespace}", "delete")  # the one namespace route that never creates one
_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


def _refers_to_id_number(node: Any, components: dict[str, Any], seen: set[str]) -> bool:
    """Whether a schema (following ``$ref`` s) has a property ``id_number`` (what ShardGuard reads)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in seen:
                return False
            seen.add(name)
            return _refers_to_id_number(components.get(name, {}), components, seen)
        if "id_number" in node.get("properties", {}):
            return True
        return any(_refers_to_id_number(v, components, seen) for v in node.values())
    if isinstance(node, list):
        return any(_refers_to_id_number(v, components, seen) for v in node)
    return False


def _statuses(path: str, method: str, op: dict[str, Any], components: dict[str, Any]) -> dict[str, str]:
    """The statuses an operation may answer that no route declares, with their descriptions."""
    extra = dict(_BEFORE_ROUTE)
    params = op.get("parameters", [])
    if params or "requestBody" in op:
        extra["422"] = _INVALID
    session_header = any(p.get("in") == "header" and p.get("name", "").lower() == "x-zhixing-session" for p in params)
    if session_header or (path.startswith("/admin/sessions/{namespace}") and (path, method) != _DROP):
        extra["429"] = _TOO_MANY
    if any(p.get("in") == "path" and p.get("name") != "namespace" for p in params):
        extra["404"] = _UNKNOWN
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    checked_body = method in ("post", "put", "patch") and path.startswith(("/agencies/", "/admin/")) and \
        _refers_to_id_number(body, components, set())
    if checked_body or path.endswith("/holdings/{agency}/{id_number}"):
        extra["421"] = _MISDIRECTED
    return extra


def document_statuses(schema: dict[str, Any]) -> None:
    """Add to every operation of the OpenAPI ``schema`` the statuses it may answer that its route does not
    declare; every 4xx / 5xx answers the error body (FastAPI's own validation-error schema is not what this
    server sends)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorBody" not in components:
        for name, sub in ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}").pop(
                "$defs", {}).items():
            components.setdefault(name, sub)
        components["ErrorBody"] = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            for status, text in _statuses(path, method, op, components).items():
                responses.setdefault(status, {"description": text})
            if responses.get("422", {}).get("description") == "Validation Error":  # FastAPI's, in English
                responses["422"]["description"] = _INVALID
            for status, entry in responses.items():
                if status[0] in "45":
                    entry["content"] = {"application/json": {"schema": dict(_ERROR_REF)}}
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused not in str(schema.get("paths")):
            components.pop(unused, None)


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the OpenAPI of ``app`` documents at ``path`` (Starlette's own 405 names only those of the
    first route matched): the truthful ``Allow`` list (HEAD is not served)."""
    methods: set[str] = set()
    for template, item in app.openapi().get("paths", {}).items():
        if _template(template).match(path):
            methods |= {m.upper() for m in item if m in _METHODS}
    return sorted(methods)


# ------------------------------------------------------------------------------------- callback addresses

_PORT = r"(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ANY_HOST = rf"({_LABEL}(\.{_LABEL})*|\[::1\])"
_REST = r"([/?#][!-~]*)?"


def callback_url_pattern(policy: CallbackPolicy) -> str:
    """The ``callback_url`` values ``policy`` accepts, as a regular expression (the schema's pattern): http or
    https, a host on the allow-list (any host name with ``*``), an optional port, a path of printable ASCII."""
    if policy.any_host:
        host = _ANY_HOST
    else:
        hosts = sorted(policy.allowed)
        host = "(" + "|".join(re.escape(f"[{h}]" if ":" in h else h) for h in hosts) + ")"
    return rf"^https?://{host}{_PORT}{_REST}$"


def _set_callback_patterns(node: Any, pattern: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "callback_url" and isinstance(value, dict):
                for branch in value.get("anyOf", [value]):
                    if branch.get("type") == "string":
                        branch["pattern"] = pattern
            else:
                _set_callback_patterns(value, pattern)
    elif isinstance(node, list):
        for item in node:
            _set_callback_patterns(item, pattern)


def _state_settings(schema: dict[str, Any], world_size: int, profiles: list[str]) -> None:
    """What the schema can say only once the server is configured: the debtor indexes of its world and the
    behaviour profiles it knows."""
    for op in schema.get("paths", {}).get("/admin/sessions/{namespace}/debtors/{index}", {}).values():
        for param in op.get("parameters", []):
            if param.get("name") == "index":
                param["schema"]["maximum"] = world_size - 1
    components = schema.get("components", {}).get("schemas", {})
    for name in ("SessionSpec", "ProfilePatch"):
        prop = components.get(name, {}).get("properties", {}).get("profile")
        if prop is not None:
            for branch in prop.get("anyOf", [prop]):
                if branch.get("type") == "string":
                    branch["enum"] = profiles


def tell_the_truth(app: FastAPI, policy: CallbackPolicy, world_size: int, profiles: list[str]) -> None:
    """Make ``app``'s OpenAPI document every status of every operation (:func:`document_statuses`), the
    callback addresses ``policy`` accepts (every ``callback_url``), the world's debtor indexes and the
    behaviour profiles."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            document_statuses(schema)
            describe_callbacks(schema)
            describe_operations(schema)
            _set_callback_patterns(schema.get("components", {}).get("schemas", {}), callback_url_pattern(policy))
            _state_settings(schema, world_size, profiles)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
