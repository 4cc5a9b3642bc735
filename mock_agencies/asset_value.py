"""An asset's value in the synthetic world, as the pricing platforms see it (issue 12).

The pricing platforms' answers scatter around what the debtor owns: the registry's estimate of the asset named
``agency:account_no`` (the court's asset id), read from the namespace's ledger at ``at``. ``None`` for an asset the
world does not know (the platform then draws a value). One rule for both ways in — the in-process port
(:class:`~mock_agencies.disposal_port.SessionDisposalPort`) and the HTTP router — so a scenario prices the same
either way.

What a court sells of frozen equity or securities is what its freeze controls: where the asking court's live freezes
(01) on the holding control part of it, that part is the value priced — the transfer (15) moves only that part
(mock_agencies/ledger.py "Transfer of a frozen part"); priced at the whole holding, the buyer would pay for shares he
does not get and the debtor keep both the rest and the surplus. A seal takes the whole asset: its value.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core_flow.errors import UserError
from core_flow.protocol import MONEY_KINDS, FreezeState, Measure

if TYPE_CHECKING:
    from mock_agencies.session import Session



def market_value(session: Session, asset_id: str, at: datetime, court_code: str | None = None) -> int | None:
    agency, _, account_no = asset_id.partition(":")
    try:
        owner = session.world.account_owner(agency, account_no)
    except UserError:
        return None
    if owner is None:
        return None
    for h in session.ledger.holdings(agency, owner, at):
        if h.account_no == account_no and h.balance_cents > 0:
            part = _frozen_part(session, agency, account_no, court_code) if court_code else 0
            return part if 0 < part < h.balance_cents else h.balance_cents
    return None


def _frozen_part(session: Session, agency: str, account_no: str, court_code: str) -> int:
    """What ``court_code``'s live freezes (01, not seals) on a holding that is not money control (0: none)."""
    return sum(v.controlled_cents for v in session.ledger.freezes_of(agency, account_no)
               if v.court_code == court_code and v.measure == Measure.FREEZE and v.state == FreezeState.ACTIVE
               and v.asset_kind not in MONEY_KINDS)
