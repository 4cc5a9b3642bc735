"""The auction and pricing platforms bound to the token's court, as the 查控 routes are (issue 13 point 2): with
court tokens configured, a body's ``court_code`` must be the token's (403 otherwise), and a listing or pricing
request of another court is answered as if there were none (404). Without tokens nothing changes.

A dependency of the platform routers (added where the app includes them), so the routers themselves stay as they
are; it runs once the body was read and before the route.
"""

from __future__ import annotations

from fastapi import Depends, Request

from core_flow.errors import UserError
from mock_agencies.auth import COURT, check_court
from mock_agencies.deps import get_session
from mock_agencies.session import Session


def _not_found(what_zh: str, what_en: str, ident: str, where: str) -> UserError:
    return UserError(f"没有{what_zh} {ident}", f"no {what_en} {ident}", where=where, code="not_found")


async def bound_to_the_token_court(request: Request, session: Session = Depends(get_session)) -> None:
    court = COURT.get()
    if court is None:  # no tokens: any court
        return
    if request.method == "POST":
        try:
            body = await request.json()
        except ValueError:  # not JSON: the route's validation answers
            body = None
        if isinstance(body, dict) and isinstance(body.get("court_code"), str):
            check_court(body["court_code"])
    params = request.path_params
    listing_id = params.get("listing_id")
    if listing_id is not None:
        try:
            owner = session.auction.get(listing_id).court_code
        except UserError:  # unknown: the route answers 404 itself
            return
        if owner != court:
            raise _not_found("标的", "listing", listing_id, "path.listing_id")
    pricing_id = params.get("pricing_id")
    if pricing_id is not None:
        try:
            owner = session.pricing.get(pricing_id).court_code
        except UserError:
            return
        if owner != court:
            raise _not_found("询价评估请求", "pricing request", pricing_id, "path.pricing_id")


COURT_BOUND = [Depends(bound_to_the_token_court)]
