"""The court's platform: the engine driving the agencies through the gateway (issue 4)."""

from core_flow.platform.court import DEFAULT_COURT, Court
from core_flow.platform.filing import (
    AnsweredAt,
    FiledCase,
    HttpFilingPush,
    LocalFilingPush,
    ResumptionPush,
    create_filing_receiver,
)
from core_flow.platform.platform import CourtAccounts, Finding, Platform

__all__ = [
    "AnsweredAt", "DEFAULT_COURT", "Court", "CourtAccounts", "FiledCase", "Finding", "HttpFilingPush",
    "LocalFilingPush", "Platform", "ResumptionPush", "create_filing_receiver",
]
