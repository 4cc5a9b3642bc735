"""The vendor's fixtures: the test courts, debtors and holdings the suite may use (YAML; JSON Schema
``certify/fixtures.schema.json``, written by ``python -m certify.fixtures``).

Each check uses the debtor of its own *role*, so checks never disturb each other's accounts: ``query``,
``replay``, ``freeze``, ``queue``, ``renew``, ``deduct``, ``resume``, ``callback``, ``errors``. A role's debtor has at
least one holding at the agency under test, unfrozen (unsealed) at the start of the run, with the stated balance — for
a registry's property (``kind: real_estate`` / ``vehicle``, ``account_no`` the property's number) the value the
registry reports for it in a query. Only the roles of the checks the agency's published measures make applicable are
needed (a registry: no ``deduct``, no ``resume``). ``courts`` are the courts the suite may act for (the first is the
main one; 轮候 needs three); ``target_account`` is the case sub-account deductions go to (an agency that takes no
deduction, 06, leaves it out); ``resumed`` (optional) is a 恢复执行 case of the first court, with its own
sub-account, that deducts the freeze its original case (the first court's ``case_no``) took (AG-019); ``transfer``
(optional) names a registry (real estate, vehicles, equity, securities: it takes 过户, 15) and a debtor's sealable or
freezable property there, for the transfer check (AG-020) — like ``hub``, its debtor is not a role of the agency under
test; for equity or securities ``part_cents`` (optional, kit 0.4.3) is the part the check first freezes and transfers
(default a third of the value).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from core_flow import yaml_text
from core_flow.errors import UserError, read_utf8, together
from core_flow.identity import number_problem
from core_flow.os_text import os_reason
from core_flow.protocol import AssetKind, SubjectKind
from core_flow.validation import field_messages

ROLES = ("query", "replay", "freeze", "queue", "renew", "deduct", "resume", "callback", "errors")
AGENCY_PATTERN = r"^[a-z0-9_]+$"  # the profile's agency code (a path segment of its URLs)
SCHEMA = Path(__file__).resolve().parent / "fixtures.schema.json"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CourtFixture(_In):
    code: str = Field(min_length=1, max_length=32, description="法院代码 / court code")
    case_no: str = Field(min_length=1, max_length=64, description="测试案号 / the test case number")
    token: str | None = Field(default=None, description="该法院的令牌（可选）/ this court's bearer token (optional)")


class HoldingFixture(_In):
    account_no: str = Field(min_length=1, max_length=64)
    kind: AssetKind = AssetKind.DEPOSIT
    balance_cents: int = Field(
        ge=1, le=10**15, description="测试开始时的余额（分），未被冻结；不动产、车辆为登记机构在查询中反馈的价值 / "
                                     "balance at the start, unfrozen; for real estate or a vehicle, the value the "
                                     "registry reports in a query")


class DebtorFixture(_In):
    kind: SubjectKind = SubjectKind.PERSON
    name: str = Field(min_length=1, max_length=200)
    id_number: str = Field(min_length=18, max_length=18,
                           description="身份证号（GB 11643）或统一社会信用代码（GB 32100），校验位须正确 / an ID "
                                       "number or credit code with a right check character")
    holdings: tuple[HoldingFixture, ...] = Field(min_length=1, max_length=10)

    @field_validator("id_number")
    @classmethod
    def _checked(cls, value: str, info: ValidationInfo) -> str:
        """The number is what the system under test will accept: a person's ID number (GB 11643) or a company's
        credit code (GB 32100), its check character right — one wrong digit fails every check using it."""
        problem = number_problem(value, info.data.get("kind", SubjectKind.PERSON))
        if problem is None:
            return value
        raise ValueError(f"id_number {problem[0]} / id_number: {problem[1]}")


class HubFixture(_In):
    scope: tuple[Annotated[str, Field(min_length=1, max_length=64, pattern=AGENCY_PATTERN)], ...] = Field(
        min_length=1, max_length=200, description="总对总查询的范围 / the scope to ask")
    debtor: DebtorFixture


class ResumedFixture(_In):
    case_no: str = Field(min_length=1, max_length=64,
                         description="第一家法院的恢复执行案号（原案为其 case_no）/ a 恢复执行 case of the first court")
    target_account: str = Field(min_length=1, max_length=64,
                                description="该案的一案一账号 / its case sub-account")


# what a registry transfers (15): real estate and vehicles under a seal (11), equity and securities under a freeze (01)
REGISTRY_KINDS = (AssetKind.REAL_ESTATE, AssetKind.VEHICLE, AssetKind.EQUITY, AssetKind.SECURITIES)
FROZEN_KINDS = (AssetKind.EQUITY, AssetKind.SECURITIES)  # frozen (01) for the amount of the whole holding, not sealed


class TransferFixture(_In):
    agency: str | None = Field(
        default=None, max_length=64, pattern=AGENCY_PATTERN,
        description="登记机构代码（不动产、车辆、股权、证券；缺省为被测机构）/ the registry's code (real estate, "
                    "vehicles, equity, securities; by default the agency under test)")
    debtor: DebtorFixture = Field(
        description="在该机构有不动产、车辆、股权或证券的被执行人（第一项财产被查封——股权、证券为按其全部价值冻结——并过户）"
                    "/ a debtor with real estate, a vehicle, equity or securities there (the first holding is sealed — "
                    "equity and securities frozen for their whole value — and transferred)")
    new_owner: str = Field(default="买受人 认证测试", min_length=1, max_length=200,
                           description="过户的新权利人 / the new owner named in the transfer")
    part_cents: int | None = Field(
        default=None, ge=1, le=10**15,
        description="股权、证券：部分过户检查冻结并过户的部分（分），须小于第一项财产的价值；缺省为其三分之一（向下取整）"
                    "/ equity, securities: the part (cents) the part-transfer check freezes and transfers, less than "
                    "the first holding's value; by default a third of it (rounded down)")

    @field_validator("debtor")
    @classmethod
    def _registered(cls, value: DebtorFixture) -> DebtorFixture:
        """The property transferred is one a registry records: real estate, a vehicle, equity or securities (money is
        deducted)."""
        kind = value.holdings[0].kind
        if kind not in REGISTRY_KINDS:
            raise ValueError(
                f"过户的财产（第一项）须为不动产、车辆、股权或证券（real_estate、vehicle、equity、securities），不是 "
                f"{kind.value} / the property transferred (the first holding) is real_estate, vehicle, equity or "
                f"securities, not {kind.value}")
        return value

    @field_validator("part_cents")
    @classmethod
    def _a_part(cls, value: int | None, info: ValidationInfo) -> int | None:
        """A part is of equity or securities (a seal takes the whole property) and less than the whole holding."""
        debtor = info.data.get("debtor")
        if value is None or debtor is None:
            return value
        first = debtor.holdings[0]
        if first.kind not in FROZEN_KINDS:
            raise ValueError(
                f"只有股权、证券可部分过户（第一项财产为 {first.kind.value}，查封及于整项财产）/ only equity or "
                f"securities transfer a part (the first holding is {first.kind.value}: a seal takes the whole)")
        if value >= first.balance_cents:
            raise ValueError(
                f"部分（{value} 分）须小于第一项财产的价值 {first.balance_cents} 分 / the part ({value} cents) must be "
                f"less than the first holding's value, {first.balance_cents} cents")
        return value

    def part(self) -> int:
        """The part the part-transfer check freezes and transfers: ``part_cents``, else a third of the value."""
        return self.part_cents or self.debtor.holdings[0].balance_cents // 3


class Fixtures(_In):
    version: int = Field(default=1, ge=1, le=1)
    agency: str = Field(min_length=1, max_length=64, pattern=AGENCY_PATTERN,
                        description="被测机构代码 / the agency under test")
    registry: str | None = Field(default=None, max_length=64, pattern=AGENCY_PATTERN,
                                 description="有工作时间的登记机构代码（可选）/ a registry (optional)")
    courts: tuple[CourtFixture, ...] = Field(min_length=1, max_length=10)
    target_account: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="扣划入账的一案一账号（受理扣划 06 的机构必填；登记机构可省）/ the case sub-account deductions go "
                    "to (for an agency taking deductions, 06; a registry may leave it out)")
    debtors: dict[str, DebtorFixture] = Field(
        description="按角色的测试被执行人 / test debtors by role",
        json_schema_extra={"propertyNames": {"enum": list(ROLES)}})  # an editor's schema check names a misspelt role
    hub: HubFixture | None = None
    resumed: ResumedFixture | None = Field(
        default=None, description="恢复执行案件（可选，AG-019）/ a resumed case (optional, AG-019)")
    transfer: TransferFixture | None = Field(
        default=None, description="登记机构的不动产、车辆、股权或证券（可选，过户 AG-020）/ a registry's property "
                                  "(optional, transfer AG-020)")

    def debtor(self, role: str) -> DebtorFixture | None:
        return self.debtors.get(role)


def _known_keys() -> dict[str, set[str]]:
    """The keys each part of the format knows, for "did you mean" (by the name of the mapping they belong to)."""
    return {"": set(Fixtures.model_fields), "courts": set(CourtFixture.model_fields),
            "holdings": set(HoldingFixture.model_fields), "debtor": set(DebtorFixture.model_fields),
            "debtors": set(DebtorFixture.model_fields), "hub": set(HubFixture.model_fields),
            "resumed": set(ResumedFixture.model_fields), "transfer": set(TransferFixture.model_fields)}


def _guess(loc: tuple[Any, ...]) -> list[str]:
    """The known keys closest to a key the format does not know (``agenc`` → ``agency``)."""
    known = _known_keys()
    parents = [p for p in loc[:-1] if isinstance(p, str)]
    if parents and parents[-1] == "debtors" and len(loc) >= 3:  # debtors.<role>.<key>
        names = known["debtor"]
    else:
        names = known.get(parents[-1] if parents else "", known[""])
    return difflib.get_close_matches(str(loc[-1]), sorted(names), n=3, cutoff=0.6)


def load_fixtures(path: Path) -> Fixtures:
    """The fixtures file (YAML, or JSON, which is YAML too), validated; a bad one is a bilingual ``UserError`` at
    ``file:line`` (and the field, for a value of the wrong schema)."""
    try:
        tree, data = yaml_text.compose_and_load(read_utf8(path, ("测试数据文件", "fixtures file")))
    except OSError as err:
        zh, en = os_reason(err)
        raise UserError(f"无法读取测试数据文件：{zh}", f"cannot read the fixtures file: {en}",
                        where=str(path)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        raise UserError(f"测试数据文件不是合法 YAML：{problem}", f"the fixtures file is not valid YAML: {problem}",
                        where=f"{path}:{mark.line + 1}" if mark is not None else str(path)) from None
    yaml_text.refuse_duplicates(tree, str(path), ("测试数据文件", "fixtures file"))
    yaml_text.refuse_split_numbers(tree, str(path), ("测试数据文件", "fixtures file"))
    found: list[tuple[int, UserError]] = []
    fixtures = None
    try:
        fixtures = Fixtures.model_validate(data)
    except ValidationError as err:
        errors = err.errors()
        # a container's error that only follows from one of its items' (a tuple whose item failed "has fewer than
        # 1 item") is not said beside it
        errors = [e for e in errors
                  if not any(len(o["loc"]) > len(e["loc"]) and o["loc"][:len(e["loc"])] == e["loc"] for o in errors)]
        for e, said in zip(errors, field_messages(errors), strict=True):
            loc = ".".join(str(p) for p in e["loc"])
            line = yaml_text.line_of(tree, e["loc"])
            zh, en = said["zh"], said["en"]
            if e["type"] == "extra_forbidden" and (guess := _guess(tuple(e["loc"]))):
                zh, en = f"{zh}；是否想写：{'、'.join(guess)}", f"{en}; did you mean: {', '.join(guess)}"
            found.append((line or 0, UserError(f"测试数据无效：{zh}", f"invalid fixtures: {en}",
                                               where=f"{path}:{line}: {loc}" if line else f"{path}: {loc}")))
    roles = data.get("debtors") if isinstance(data, dict) else None
    for role in [r for r in (roles if isinstance(roles, dict) else ()) if r not in ROLES]:
        guess = difflib.get_close_matches(str(role), ROLES, n=1, cutoff=0.6)
        line = _key_line(tree, "debtors", role)
        found.append((line or 0, UserError(
            f"未知角色：{role}" + (f"（是否想写：{guess[0]}）" if guess else "") + f"（可选：{'、'.join(ROLES)}）",
            f"unknown role: {role}" + (f" (did you mean: {guess[0]})" if guess else "")
            + f" (known: {', '.join(ROLES)})", where=f"{path}:{line}: debtors.{role}")))
    if found:  # every mistake at once, in the file's order
        raise together([e for _, e in sorted(found, key=lambda f: f[0])], ("测试数据文件", "the fixtures file"))
    assert fixtures is not None
    return fixtures


def _key_line(tree: yaml.Node | None, section: str, key: str) -> int | None:
    """1-based line of ``key`` itself in the mapping ``section`` (a role's name, not its content)."""
    mapping = next((v for k, v in getattr(tree, "value", ()) if getattr(k, "value", None) == section), None)
    found = next((k for k, _ in getattr(mapping, "value", ()) if getattr(k, "value", None) == key), None)
    return found.start_mark.line + 1 if found is not None else yaml_text.line_of(tree, (section,))


def schema_text() -> str:
    return json.dumps(Fixtures.model_json_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # python -m certify.fixtures > certify/fixtures.schema.json
    print(schema_text(), end="")
