"""An asset's value in the synthetic world, as the pricing platforms see it (issue 12).

The pricing platforms' answers scatter around what the debtor owns: the registry's estimate of the asset named
``agency:account_no`` (the court's asset id), read from the namespace's ledger at ``at``. ``None`` for an asset the
world does not know (the platform then draws a value). One rule for both ways in — the in-process port
(:class:`~mock_agencies.disposal_port.SessionDisposalPort`) and the HTTP router — so a scenario prices the same
either way.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core_flow.errors import UserError

if TYPE_CHECKING:
    from mock_agencies.session import Session


def market_value(session: Session, asset_id: str, at: datetime) -> int | None:
    agency, _, account_no = asset_id.partition(":")
    try:
        owner = session.world.account_owner(agency, account_no)
    except UserError:
        return None
    if owner is None:
        return None
    for h in session.ledger.holdings(agency, owner, at):
        if h.account_no == account_no and h.balance_cents > 0:
            return h.balance_cents
    return None
