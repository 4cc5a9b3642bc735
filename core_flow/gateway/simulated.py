"""Simulated transport: direct calls to an :class:`AgencyPort`, latency in the clock's (virtual) time.

No HTTP and no callbacks: a submit reaches the port after ``network_delay`` on the clock and its result
comes back at that instant; the answers are collected at the instants the port says they are due
(``next_due``) and handed to the gateway (``connect``'s sink, ``via="simulated"``). On a
:class:`~core_flow.clocks.SimClock` a year of 查控 runs in seconds.

``timeout`` is ignored: a simulated call never hangs; the port itself may answer with a timeout-like
fault result (e.g. a drawn 504).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from core_flow.clocks import Clock, TimerHandle
from core_flow.gateway.transport import FeedbackSink, Outcome, PollDone, PollResult, SubmitDone, SubmitResult
from core_flow.ports import OUTCOME
from core_flow.protocol import ControlRequest, Feedback, Ticket

_NO_PROGRESS_STEP = timedelta(seconds=1)


class AgencyPort(Protocol):
    """The agencies as plain calls. ``now`` moves the agencies' time forward (never back)."""

    def submit(self, agency: str, request: ControlRequest, now: datetime) -> Ticket | SubmitResult:
        """A ticket (maybe ``duplicate``), or a failure result (fault drawn, request rejected)."""
        ...

    def next_due(self) -> datetime | None:
        """When the next answer to a request submitted here becomes final (None: none pending)."""
        ...

    def collect(self, now: datetime) -> list[Feedback]:
        """Answers that became final by ``now`` since the previous collect, in time order."""
        ...

    # Optional: a port with an attribute ``wake`` gets it set to a callable of the transport, to call when an answer
    # became due outside the transport's own calls (a notice caused by another court's request on the same
    # agencies); the transport then asks ``next_due`` again and collects at that instant.


class SimulatedTransport:
    def __init__(self, port: AgencyPort, clock: Clock, *, network_delay: timedelta = timedelta(0)) -> None:
        if network_delay < timedelta(0):
            raise ValueError("network_delay must be >= 0")
        self.port = port
        self.clock = clock
        self.network_delay = network_delay
        self._deliver: FeedbackSink | None = None
        self._wake: TimerHandle | None = None
        self._wake_at: datetime | None = None
        self.collections = 0
        if hasattr(port, "wake"):
            port.wake = self._schedule  # type: ignore[attr-defined]

    def connect(self, deliver: FeedbackSink) -> None:
        self._deliver = deliver

    def submit(
        self, agency: str, request: ControlRequest, done: SubmitDone, *, timeout: float | None = None
    ) -> None:
        def arrive() -> None:
            result = self.port.submit(agency, request, self.clock.now())
            if isinstance(result, Ticket):
                result = SubmitResult(
                    OUTCOME.ACCEPTED, ticket=result, status=200 if result.duplicate else 202
                )
            done(result)
            self._schedule()

        self._later(arrive)

    def poll(self, agency: str, ticket_id: str, done: PollDone, *, timeout: float | None = None) -> None:
        """Collects whatever is due (answers go to the sink); the result itself carries no ticket."""

        def arrive() -> None:
            self._collect()
            done(PollResult(Outcome.ACCEPTED))

        self._later(arrive)

    # -- plumbing ------------------------------------------------------------------------------------

    def _later(self, action: Callable[[], None]) -> None:
        # always through the clock, even with no delay: ``done`` never runs inside the caller's call
        self.clock.call_at(self.clock.now() + self.network_delay, action)

    def _schedule(self) -> None:
        nxt = self.port.next_due()
        if nxt is None:
            return
        if self._wake_at is not None:
            if self._wake_at <= nxt:
                return
            if self._wake is not None:
                self._wake.cancel()
        self._wake_at = nxt
        self._wake = self.clock.call_at(nxt, self._on_wake)

    def _on_wake(self) -> None:
        self._wake = self._wake_at = None
        now = self.clock.now()
        got = self._collect()
        nxt = self.port.next_due()
        if nxt is not None and nxt <= now and not got:  # nothing produced at this instant: do not spin
            self._wake_at = now + _NO_PROGRESS_STEP
            self._wake = self.clock.call_at(self._wake_at, self._on_wake)
            return
        self._schedule()

    def _collect(self) -> int:
        self.collections += 1
        answers = self.port.collect(self.clock.now())
        deliver = self._deliver
        if deliver is not None:
            for feedback in answers:
                deliver(feedback, "simulated")
        return len(answers)
