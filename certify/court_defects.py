"""Deliberate defects of zhixing's reference court, for the court-side self-check: an HTTP transport the reference
court's client is given in the self-check test only (never by a command), which changes its traffic the way a faulty
court system would — the court's own logic runs unchanged behind it.

* ``wrong_scope`` — a 集约查询 leaves out the first agency of its scope;
* ``new_request_no_on_retry`` — a request retried after a 5xx or 429 goes under a new request number;
* ``retry_after_ignored`` — the court never sees a 429's Retry-After (it retries on its own backoff);
* ``no_renewal`` / ``no_release`` — no renewal (02, 12) / no release (04, 14) ever leaves the court (the boundary
  answers them itself with a 4xx, final, as if the court had never sent them);
* ``missed_sweep`` — of each case's 终本 sweeps (hub queries beyond the 集约查询 groups) only the first leaves;
* ``no_backoff`` — a request answered 5xx is sent again at once by the court's HTTP layer (no wait);
* ``new_request_no_after_lost_answer`` — a freeze or seal whose answer was lost (the kit's 504 after the agency
  carried it out, ``X-Zhixing-Fault: lost_answer``) is sent again under a new request number (other retries keep
  theirs; a deduction's lost answer is the next defect's, kit 0.6.0);
* ``new_request_no_after_lost_deduction`` — a deduction (06) whose answer was lost is sent again under a new request
  number (kit 0.6.0): the money deducted twice, or — the first took all the frozen money — the second refused and the
  court's ledger left without the money that moved;
* ``gives_up_after_lost_answer`` — a lost answer is final for the court: its HTTP layer turns the 504 into a 4xx, so
  the court never sends the request again nor polls for it;
* ``seal_sent_twice`` — every seal (11) the agency takes is sent once more at once under a new request number (kit
  0.6.2; a court's bug, no fault behind it): the property sealed twice for the case, its second seal queued (轮候)
  behind the first; the court keeps the first answer and never hears of the second.
"""

from __future__ import annotations

import json

import httpx

from certify.court_lifecycle import is_sweep
from core_flow.protocol import HUB

COURT_DEFECTS = ("wrong_scope", "new_request_no_on_retry", "retry_after_ignored", "no_renewal", "no_release",
                 "missed_sweep", "no_backoff", "new_request_no_after_lost_answer", "gives_up_after_lost_answer",
                 "new_request_no_after_lost_deduction", "seal_sent_twice")
_RENUMBERED = {"new_request_no_after_lost_answer": False, "new_request_no_after_lost_deduction": True}  # → is a 06
_DROPPED = {"no_renewal": frozenset({"02", "12"}), "no_release": frozenset({"04", "14"})}


def _dropped(request: httpx.Request, zh: str = "缺陷：未发出", en: str = "defect: never sent") -> httpx.Response:
    body = {"error": {"code": "court_defect", "where": "request", "zh": zh, "en": en,
                      "message": f"request: {zh} / {en}", "fields": []}}
    return httpx.Response(422, json=body, request=request)


def _lost_answer(response: httpx.Response) -> bool:
    """The kit's lost answer: a 504 saying so (``X-Zhixing-Fault: lost_answer``)."""
    return response.status_code == 504 and response.headers.get("x-zhixing-fault") == "lost_answer"


class DefectiveCourt(httpx.BaseTransport):
    def __init__(self, defect: str, inner: httpx.BaseTransport | None = None) -> None:
        if defect not in COURT_DEFECTS:
            raise ValueError(f"未知缺陷 {defect} / unknown court defect {defect} (known: {', '.join(COURT_DEFECTS)})")
        self.defect = defect
        self.inner = inner or httpx.HTTPTransport()
        self.failed: set[str] = set()
        self.swept: set[str] = set()  # the cases whose first 终本 sweep went out
        self.lost: dict[str, str] = {}  # the request numbers whose answer was lost → their measure

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        submit = request.method == "POST" and len(parts) == 3 and parts[0] == "agencies" and parts[2] == "requests"
        number = None
        if submit:
            body = json.loads(request.content)
            number = body.get("request_no")
            changed = False
            if body.get("measure") in _DROPPED.get(self.defect, ()):
                return _dropped(request)
            if self.defect == "missed_sweep" and parts[1] == HUB and is_sweep(body):
                case = str(body.get("case_no"))
                if case in self.swept and number not in self.failed:
                    return _dropped(request)
                self.swept.add(case)
            if self.defect == "wrong_scope" and body.get("scope"):
                body["scope"] = body["scope"][1:]
                changed = True
            if self.defect == "new_request_no_on_retry" and number in self.failed:
                body["request_no"] = number = f"{number}R"
                changed = True
            if self.defect in _RENUMBERED and number in self.lost and \
                    (self.lost[number] == "06") == _RENUMBERED[self.defect]:
                body["request_no"] = number = f"{number}L"
                changed = True
            if changed:
                headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
                request = httpx.Request(request.method, request.url, headers=headers, json=body,
                                        extensions=request.extensions)
        response = self.inner.handle_request(request)
        if submit and self.defect == "no_backoff" and response.status_code >= 500:
            response.read()
            response = self.inner.handle_request(request)  # again at once, the same request
        if submit and number and _lost_answer(response):
            self.lost[number] = str(body.get("measure"))
            if self.defect == "gives_up_after_lost_answer":
                response.read()
                return _dropped(request, "缺陷：答复丢失后放弃", "defect: gave up after a lost answer")
        if submit and self.defect == "seal_sent_twice" and body.get("measure") == "11" \
                and 200 <= response.status_code < 300 and number and not number.endswith("D"):
            response.read()
            again = dict(body, request_no=f"{number}D")
            headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
            self.inner.handle_request(httpx.Request(request.method, request.url, headers=headers, json=again,
                                                    extensions=request.extensions)).read()
        if submit and (response.status_code == 429 or response.status_code >= 500) and number:
            self.failed.add(number)
            if self.defect == "retry_after_ignored" and "retry-after" in response.headers:
                content = response.read()
                headers = [(k, v) for k, v in response.headers.items()
                           if k.lower() not in ("retry-after", "content-length")]
                response = httpx.Response(response.status_code, headers=headers, content=content,
                                          request=request)
        return response

    def close(self) -> None:
        self.inner.close()
