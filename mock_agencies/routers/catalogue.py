"""The catalogue of agencies as JSON: ``GET /agencies`` and ``GET /agencies/{code}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from mock_agencies.catalogue import Catalogue

router = APIRouter(prefix="/agencies", tags=["catalogue / 机构目录"])

CODE_PATH = Path(pattern=r"^[a-z0-9_]+$", max_length=64, description="机构代码 / agency code")


class AgencyView(BaseModel):
    code: str
    name: str
    name_en: str
    group: str
    operations: list[str]
    region: str | None = None


def _catalogue(request: Request) -> Catalogue:
    return request.app.state.catalogue


@router.get("", response_model=list[AgencyView], summary="机构目录 / the catalogue of agencies")
async def list_agencies(request: Request) -> list[dict[str, Any]]:
    return _catalogue(request).as_json()


@router.get(
    "/{code}",
    response_model=AgencyView,
    summary="单个机构 / one agency",
    responses={404: {"description": "未知机构 / unknown agency"}},
)
async def get_agency(request: Request, code: str = CODE_PATH) -> dict[str, Any]:
    return _catalogue(request).get(code).as_json()
