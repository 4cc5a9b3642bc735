"""The executing court: its code, name, region (GB/T 2260) and the courts above it.

The model is defined once, on the protocol side (:class:`core_flow.protocol.Court`), and shared with the mock
agencies; it is re-exported here for the platform's callers.
"""

from __future__ import annotations

from core_flow.protocol import DEFAULT_COURT, Court

__all__ = ["DEFAULT_COURT", "Court"]
