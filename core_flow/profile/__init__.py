"""zhixing's open 查控 interface profile: its version, the requirement catalogue and its coverage.

The real 《人民法院执行案件流程管理系统接口规范 V1.5.5》 is not public; zhixing publishes its own profile of the same
exchange (``PROFILE.md``, Chinese and English) and certifies against it. ``requirements.yaml`` gives every normative
statement an ID (``AG-…`` agency side, ``CT-…`` court side), a level (SHALL / SHOULD), its source and the tests that
verify it; :func:`load_requirements` validates it and :func:`coverage_table` renders the coverage table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core_flow import yaml_text
from core_flow.errors import UserError
from core_flow.protocol import PROFILE_VERSION as PROFILE_VERSION  # defined with the protocol, re-exported

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.yaml"


class Requirement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^(AG|CT)-\d{3}$")
    level: Literal["SHALL", "SHOULD"]
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    source: str = Field(min_length=1, description="seed, law or profile section")
    section: str = Field(min_length=1, description="the PROFILE.md section that states it")
    tests: tuple[str, ...] = Field(min_length=1, description="pytest node ids (file::test) that verify it")

    @property
    def side(self) -> str:
        return "agency" if self.id.startswith("AG") else "court"


@cache
def load_requirements(path: Path = REQUIREMENTS) -> tuple[Requirement, ...]:
    try:
        data = yaml_text.load(path.read_text(encoding="utf-8"))
        items = tuple(Requirement.model_validate(r) for r in data["requirements"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValidationError) as err:
        raise UserError(f"需求目录无效：{err}", f"invalid requirement catalogue: {err}", where=str(path)) from None
    ids = [r.id for r in items]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise UserError(f"需求编号重复：{'、'.join(dup)}", f"duplicate requirement ids: {', '.join(dup)}",
                        where=str(path))
    return items


def coverage_table(requirements: tuple[Requirement, ...] | None = None) -> str:
    """The coverage table (requirement → tests) as Markdown."""
    rows = ["| ID | 级别 level | 要求 requirement | 依据 source | 测试 tests |", "|---|---|---|---|---|"]
    for r in requirements or load_requirements():
        tests = "<br>".join(f"`{t}`" for t in r.tests)
        rows.append(f"| {r.id} | {r.level} | {r.zh} / {r.en} | {r.source} | {tests} |")
    return "\n".join(rows)
