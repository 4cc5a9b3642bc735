"""What a vendor meets writing fixtures from certify/README.md: the JSON Schema the README points to
(``certify/fixtures.schema.json``, for an editor's checks) names the roles, so a misspelt role (``renewal`` for
``renew``) is flagged there as the kit itself flags it — the schema let any role name through."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from certify.fixtures import ROLES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "certify" / "fixtures.schema.json").read_text(encoding="utf-8"))
EXAMPLE = ROOT / "certify" / "fixtures_examples" / "zhixing.yaml"


def _problems(data: object) -> list[str]:
    return [e.message for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)]


def test_the_schema_flags_a_misspelt_role_and_takes_the_examples() -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert _problems(data) == []
    assert _problems(yaml.safe_load((EXAMPLE.parent / "real_estate_registry.yaml").read_text(encoding="utf-8"))) == []
    data["debtors"]["renewal"] = data["debtors"].pop("renew")
    (problem,) = _problems(data)
    assert "'renewal'" in problem and "'renew'" in problem  # not one of the roles, which it lists
    assert SCHEMA["properties"]["debtors"]["propertyNames"] == {"enum": list(ROLES)}
