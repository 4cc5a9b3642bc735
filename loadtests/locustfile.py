"""Locust load test of the 集约查询 fan-out through the 总对总 hub (see README.md beside this file).

Users are courts. Each court sends 集约查询 requests — one per debtor, to the hub ``zdz``, naming the scope the
court computes (``core_flow.agency_directory.inquiry_scope``) — at a target arrival rate that does not depend on
response times (an open workload: arrivals are scheduled on the clock and each runs in its own greenlet, so a
slow answer never delays the next arrival; latency is measured from the *scheduled* arrival, so a generator
that falls behind shows up in the figures instead of hiding them). A fan-out is complete when every agency of
its scope has answered, learnt by callback (a receiver inside each locust process) or by polling
(``--wait``). Its completion is reported to locust as its own request type ``集约查询`` named per stage
(``扇出完成 fan-out complete [s1 100/s]``); the HTTP requests underneath are reported as usual. A second user
class sends control measures (freeze, renewal, deduction, release) in a configurable mix on the property the
fan-outs found.

The load shape (:class:`RateSteps`) runs the plan: warm-up, the measured steps (one rate, a knee search with
``--steps``, or a rate file), and a drain; it keeps the court count fixed (the rate is the plan's, not the
user count's) and ends the run. At the end the verdict against the thresholds is printed and the exit code set.

Target: ``--host`` (loopback only). zhixing's mock server publishes its shard map at ``/shards`` and the
locustfile routes each debtor to its shard; any other server implementing the profile is one host, with the
debtors from ``--fixtures``.
"""

from __future__ import annotations

import difflib
import itertools
import json
import logging
import os
import random
import socket
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

import gevent
import psutil
import requests
from gevent.event import Event
from gevent.pool import Group
from gevent.pywsgi import WSGIHandler, WSGIServer
from loadoptions import OptionError, add_options, check_options, threshold_rate
from loadplan import (
    CONTROL_TYPE,
    FANOUT_TYPE,
    MEASURES,
    Plan,
    Stage,
    Thresholds,
    bottleneck,
    build_plan,
    cpu_seconds,
    judge,
    knee_table,
    load_fixtures,
    mask_ids,
    parse_mix,
    parse_rates,
    require_loopback,
    self_contained,
    stage_results,
)
from locust import LoadTestShape, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.runners import MasterRunner, WorkerRunner

from core_flow.agency_directory import AgencyDirectory, inquiry_scope
from core_flow.protocol import HUB, SubjectKind
from mock_agencies.court_accounts import sub_account_no
from mock_agencies.shards import shard_of

log = logging.getLogger("zhixing.load")

COURT_REGIONS = ("410811", "110105", "310115", "440305", "510107", "330106")
SESSION_HEADER = "X-Zhixing-Session"
LATE_SECONDS = 0.05  # an arrival sent later than this after its scheduled instant counts as late

# -- per-process state (each locust process: the local runner, or each worker) --------------------------------


class Target:
    """What the run talks to: the shard URLs, the scope directory, the debtors."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.pids: list[int] = []
        self.directory: AgencyDirectory | None = None
        self.fixtures: list[dict[str, str]] | None = None
        self.world: Any = None
        self.debtor_count = 0
        self.namespace = "load"
        self.headers: dict[str, str] = {}

    def url_for(self, id_number: str) -> str:
        return self.urls[shard_of(id_number, len(self.urls))]

    def debtor(self, rng: random.Random) -> dict[str, str]:
        if self.fixtures is not None:
            return rng.choice(self.fixtures)
        d = self.world.debtor(rng.randrange(self.debtor_count))
        return {"kind": d.kind.value, "name": d.name, "id_number": d.id_number}


TARGET = Target()
PLAN: Plan | None = None
T0 = 0.0  # perf_counter at this process's test start
INFLIGHT = Group()  # the arrivals in flight (killed when the test stops)
OPEN: dict[Any, tuple[str, str, float]] = {}  # greenlet → (request type, name, scheduled): reported if unfinished
FOUND: deque[dict[str, Any]] = deque(maxlen=2000)  # controllable property the fan-outs found (for control users)
FREEZES: list[dict[str, Any]] = []  # freezes in effect, free for the next control operation
COUNTERS = {"late": 0, "max_lag": 0.0, "dropped": 0, "callbacks": 0, "parts": 0}
SAMPLES: dict[int, dict[str, float]] = {}  # on the master / local runner: CPU seconds at each stage boundary
HOSTNAME = socket.gethostname()
SEQ = itertools.count(1)
WORKERS: dict[str, dict[str, Any]] = {}  # on the master: each worker's last report (pid, host, counters)
RUN_ID = f"{random.SystemRandom().getrandbits(24):06x}"  # request numbers unique across runs and processes


class Waiter:
    """Collects one request's answers (callback parts or poll results) until complete."""

    __slots__ = ("scope", "answered", "failed", "found", "extra", "parts", "done_at", "event", "feedback")

    def __init__(self, scope: frozenset[str] | None) -> None:
        self.scope = scope  # None: a control measure (one answer)
        self.answered: set[str] = set()
        self.failed: list[str] = []
        self.found: list[dict[str, Any]] = []
        self.extra: set[str] = set()
        self.parts = 0
        self.done_at: float | None = None
        self.event = Event()
        self.feedback: dict[str, Any] | None = None

    def add(self, feedback: dict[str, Any], at: float, cumulative: bool = False) -> None:
        if self.done_at is not None:
            return
        if self.scope is None:
            if feedback.get("notice") or feedback.get("code") == "0002":  # a later notice / interim: not the answer
                return
            self.feedback, self.done_at = feedback, at
            self.event.set()
            return
        batch = feedback.get("batch")
        if not batch:
            return
        self.parts += 1
        if cumulative:
            self.answered.clear()
            self.failed.clear()
            self.found.clear()
        for answer in batch.get("found", ()):
            code = answer.get("agency")
            if code in self.answered:
                continue
            self.answered.add(code)
            if not answer.get("ok", True):
                self.failed.append(f"{code}:{answer.get('code')}")
            else:
                self.found.extend({"agency": code, **h} for h in answer.get("holdings", ()))
        self.answered.update(batch.get("none_found", ()))
        self.extra = self.answered - self.scope
        if self.scope <= self.answered:
            self.done_at = at
            self.event.set()


class _NoDelayHandler(WSGIHandler):
    """pywsgi writes a response's headers and body separately: with Nagle's algorithm on, the body waits for the
    ACK of the headers, which the sender delays by ~40 ms — every callback would take 40 ms longer (measured)."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, *args, **kwargs)


class Receiver:
    """The callback receiver of this locust process: a gevent WSGI server on a free loopback port."""

    def __init__(self) -> None:
        self.waiting: dict[str, Waiter] = {}
        self.server: WSGIServer | None = None
        self.url = ""

    def start(self) -> None:
        if self.server is None:
            self.server = WSGIServer(("127.0.0.1", 0), self.app, log=None, handler_class=_NoDelayHandler)
            self.server.start()
            self.url = f"http://127.0.0.1:{self.server.server_port}/callbacks"

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        at = time.perf_counter()
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            feedback = json.loads(environ["wsgi.input"].read(size))
            request_no = feedback["request_no"]
        except (ValueError, KeyError, TypeError):
            start_response("400 Bad Request", [("Content-Type", "application/json"), ("Content-Length", "2")])
            return [b"{}"]
        COUNTERS["callbacks"] += 1
        waiter = self.waiting.get(request_no)
        if waiter is not None:
            waiter.add(feedback, at)
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
        return [b"{}"]


RECEIVER = Receiver()


# -- options ------------------------------------------------------------------------------------------------


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    add_options(parser)


def _opts(environment: Any) -> Any:
    return environment.parsed_options


def _plan(o: Any) -> Plan:
    return build_plan(rate=o.rate, duration=o.duration, warmup=o.warmup, steps=parse_rates(o.steps),
                      step_time=o.step_time, rate_file=o.rate_file or None, drain=o.drain)


@events.init.add_listener
def _init(environment: Any, **_: Any) -> None:
    o = _opts(environment)
    if o is None:
        return
    worker = isinstance(environment.runner, WorkerRunner)
    try:  # every option, the plan, the mix, the files and the target: a mistake ends the run before it starts
        plan = check_options(o)
        host = _named("--host", require_loopback, environment.host) if environment.host else ""
        if not worker:  # what will be sent, said before it is (`--steps "100 200"` once ran at 100200/s)
            print(f"计划 / plan: {describe_plan(plan)}; 阈值 / thresholds: 扇出 p95 < {o.p95_ms:g} ms"
                  f"（0 不检查 / 0: off）, 速率 / rate ≥ {threshold_rate(o, plan):g} 件/秒 cases/s, "
                  f"失败率 / failures < {o.max_failures:.0%}"
                  + ("; 判定每一级 / every stage judged (--judge every)" if o.judge == "every" else "")
                  + (f"; 直接发给机构 / straight to the agency {o.agency}（不经总对总 / no hub）" if o.agency else ""),
                  flush=True)
            if host:
                _preflight(host, o)
    except ValueError as err:
        print(f"错误 / error: {err}", file=sys.stderr, flush=True)
        sys.exit(2)
    CourtUser.fixed_count = o.courts
    ControlUser.fixed_count = o.control_users


def _named(option: str, check: Any, value: Any) -> Any:
    try:
        return check(value)
    except OptionError:
        raise
    except ValueError as err:
        zh, _, en = str(err).partition(" / ")
        raise OptionError(option, zh, en or zh) from None


def describe_plan(plan: Plan) -> str:
    """``预热 warm-up 5 s at 100/s → s1 100/s 30 s → 收尾 drain 3 s``: what the run will send, said before it starts."""
    def one(stage: Stage) -> str:
        if stage.kind == "drain":
            return f"收尾 drain {stage.seconds:g} s"
        if stage.kind == "warmup":
            return f"预热 warm-up {stage.seconds:g} s @ {stage.rate:g}/s"
        return f"{stage.label} × {stage.seconds:g} s"
    return " → ".join(one(stage) for stage in plan.stages)


def _preflight(host: str, o: Any) -> None:
    """The target answers, and has what the run needs — zhixing's mock (``/shards``, its admin API) or, for any other
    server, the debtors from ``--fixtures`` — said as an ``--host`` / ``--fixtures`` error before the run starts (an
    unreachable host used to end in a traceback inside locust, exit 1, as if the verdict had failed)."""
    try:
        shards = requests.get(f"{host}/shards", timeout=10)
    except requests.ConnectionError:
        raise OptionError("--host", f"无法连接 {host}：服务未运行或端口有误（先启动服务，如 zhixing agencies "
                                    "serve --profile fast --processes 2 --port 8700）",
                          f"cannot connect to {host}: the server is not running or the port is wrong (start it "
                          "first, e.g. zhixing agencies serve --profile fast --processes 2 --port 8700)") from None
    except requests.RequestException as err:
        raise OptionError("--host", f"{host} 无响应（{type(err).__name__}）",
                          f"{host} does not answer ({type(err).__name__})") from None
    zhixing = shards.status_code == 200
    fixtures = load_fixtures(o.fixtures) if o.fixtures else None
    if fixtures is None and not zhixing:
        raise OptionError("--fixtures", f"{host} 不是 zhixing 模拟机构（没有 GET /shards 与管理接口）：请用 "
                                        "--fixtures 给出该服务测试数据中的被执行人（python loadtests/fixtures.py "
                                        "--count 1000 -o fixtures.json）",
                          f"{host} is not zhixing's mock (no GET /shards, no admin API): give the debtors of its "
                          "test data with --fixtures (python loadtests/fixtures.py --count 1000 -o fixtures.json)")
    rows = fixtures.get("agencies") if fixtures else None
    if not rows:
        try:
            listed = requests.get(f"{host}/agencies", timeout=10)
            rows = listed.json() if listed.status_code == 200 else None
        except (requests.RequestException, ValueError):
            rows = None
        if not isinstance(rows, list) or not rows:
            raise OptionError("--fixtures", f"{host} 没有 GET /agencies（机构目录）：请用含 agencies 的 --fixtures 文件"
                                            "（loadtests/fixtures.py 写出的即是）",
                              f"{host} has no GET /agencies (the catalogue): give a --fixtures file with agencies "
                              "(loadtests/fixtures.py writes one)")
    if o.agency:
        row = next((r for r in rows if isinstance(r, dict) and r.get("code") == o.agency), None)
        if row is None:
            codes = [r.get("code") for r in rows if isinstance(r, dict) and "00" in r.get("operations", ())]
            close = difflib.get_close_matches(o.agency, [c for c in codes if c], n=3)
            zh, en = (f"（可能是 {', '.join(close)}）", f" (did you mean {', '.join(close)}?)") if close else ("", "")
            raise OptionError("--agency", f"机构目录中没有 {o.agency!r}{zh}（zhixing agencies list 列出全部代码）",
                              f"no agency {o.agency!r} in the catalogue{en} (zhixing agencies list shows the codes)")
        if "00" not in row.get("operations", ()):
            raise OptionError("--agency", f"{o.agency} 不受理查询（00）", f"{o.agency} takes no inquiry (00)")


# -- setup at test start --------------------------------------------------------------------------------------


def _get(url: str, **kw: Any) -> requests.Response:
    return requests.get(url, timeout=10, **kw)


def _discover(environment: Any, reset: bool) -> None:
    """Shard map, directory and debtors (every process); the namespace is reset once (``reset``)."""
    o = _opts(environment)
    host = require_loopback(environment.host or "")
    TARGET.namespace = o.namespace
    TARGET.headers = {SESSION_HEADER: o.namespace, "Content-Type": "application/json"}
    try:
        shards = _get(f"{host}/shards")
        shard_map = shards.json() if shards.status_code == 200 else None
    except (requests.RequestException, ValueError):
        shard_map = None
    if shard_map:
        TARGET.urls = [require_loopback(s["url"]) for s in shard_map["shards"]]
        TARGET.pids = []
        for url in TARGET.urls:  # each shard knows its own pid
            own = _get(f"{url}/shards").json()
            TARGET.pids.append(own["shards"][own["index"]]["pid"])
    else:
        TARGET.urls, TARGET.pids = [host], []
    fixtures = load_fixtures(o.fixtures) if o.fixtures else None
    rows = fixtures.get("agencies") if fixtures else None
    if not rows:
        rows = _get(f"{host}/agencies").json()
    TARGET.directory = AgencyDirectory.from_json(rows)
    if fixtures is not None:
        TARGET.fixtures = fixtures["debtors"]
        return
    if reset:
        for url in TARGET.urls:
            r = requests.put(f"{url}/admin/sessions/{o.namespace}", json={"profile": o.agency_profile}, timeout=30)
            r.raise_for_status()
    info = _get(f"{TARGET.urls[0]}/admin/sessions/{o.namespace}")
    if info.status_code != 200:
        raise RuntimeError("目标没有 zhixing 管理接口：请用 --fixtures 给出被执行人 / the target has no zhixing admin "
                           "API: give the debtors with --fixtures")
    from mock_agencies.world import World

    TARGET.world = World(int(info.json()["seed"]))
    TARGET.debtor_count = min(o.debtors, len(TARGET.world))
    probe = _get(f"{TARGET.urls[0]}/admin/sessions/{o.namespace}/debtors/0").json()
    if probe.get("id_number") != TARGET.world.debtor(0).id_number:
        raise RuntimeError("本地种子世界与服务端不一致 / the local seeded world differs from the server's")


@events.test_start.add_listener
def _test_start(environment: Any, **_: Any) -> None:
    global PLAN, T0
    o = _opts(environment)
    PLAN = _plan(o)
    worker = isinstance(environment.runner, WorkerRunner)
    master = isinstance(environment.runner, MasterRunner)
    try:
        _discover(environment, reset=not worker)
    finally:  # the plan's clock starts even when the target is not found (down, not loopback, no admin API): the
        # error is logged and the shape ends the run at the plan's end — unset, the run never ended (review R30)
        T0 = time.perf_counter()
    for k in ("late", "dropped", "callbacks", "parts"):
        COUNTERS[k] = 0
    COUNTERS["max_lag"] = 0.0
    FOUND.clear()
    FREEZES.clear()
    if not master:
        RECEIVER.start()
    if not worker:
        SAMPLES.clear()
        gevent.spawn(_sample_cpu, PLAN)


def _snapshot() -> dict[str, float]:
    """CPU seconds now of the generator's processes (this one, its children — ``--processes`` workers — and
    workers on this machine that reported their pid) and of the server's shards."""
    me = psutil.Process()
    pids = {me.pid} | {c.pid for c in me.children(recursive=True)}
    pids |= {w["pid"] for w in WORKERS.values() if w.get("host") == HOSTNAME and w.get("pid")}
    snap = {f"gen:{pid}": cpu for pid in pids if (cpu := cpu_seconds(pid)) is not None}
    snap.update({f"srv:{i}": cpu for i, pid in enumerate(TARGET.pids) if (cpu := cpu_seconds(pid)) is not None})
    t = psutil.cpu_times()
    snap["machine"] = t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0) + getattr(
        t, "steal", 0)
    return snap


def _sample_cpu(plan: Plan) -> None:
    """A snapshot at every stage boundary: each stage's CPU is the difference between its two."""
    for k, at in enumerate([0.0] + [stage.end for stage in plan.stages]):
        delay = T0 + at - time.perf_counter()
        if delay > 0:
            gevent.sleep(delay)
        SAMPLES[k] = _snapshot()


def stage_cpu(plan: Plan) -> dict[str, tuple[dict[str, float], dict[str, float]]]:
    """Per stage label: (generator, server) busy share of one core per process; the generator's entry
    ``machine`` is the whole machine's busy cores (every process, ours and others')."""
    out = {}
    for k, stage in enumerate(plan.stages):
        a, b = SAMPLES.get(k), SAMPLES.get(k + 1)
        if a is None or b is None:
            continue
        share = {key: (b[key] - a[key]) / stage.seconds for key in b if key in a}
        gen = {f"pid {key[4:]}": v for key, v in share.items() if key.startswith("gen:")}
        if "machine" in share:
            gen["machine"] = share["machine"]
        srv = {f"shard {key[4:]}": v for key, v in share.items() if key.startswith("srv:")}
        out[stage.label] = (gen, srv)
    return out


@events.test_stop.add_listener
def _test_stop(environment: Any, **_: Any) -> None:
    global T0
    T0 = 0.0  # the plan's clock unset until the next run's test_start (the web UI runs one after another)
    for kind, name, scheduled in list(OPEN.values()):
        _fire(environment, kind, name, scheduled, None, 0, "运行结束时仍未完成 / not complete when the run ended")
    OPEN.clear()
    INFLIGHT.kill(block=False)


@events.report_to_master.add_listener
def _report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    data["zx"] = {"pid": os.getpid(), "host": HOSTNAME, **COUNTERS}


@events.worker_report.add_listener
def _worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if "zx" in data:
        WORKERS[client_id] = data["zx"]


# -- arrivals -------------------------------------------------------------------------------------------------


def _arrivals(user: Any, rate_of: Any, spawn: Any) -> None:
    """Open arrivals for one user: ``rate_of(stage)`` per second; ``spawn(scheduled, stage)`` each one in its
    own greenlet. Never waits for an arrival's outcome.

    The schedule runs in *operational time* (the integral of the rate): each arrival needs one unit (uniform,
    out of phase between users) or an exponential unit (Poisson), used up across stage boundaries — exact for
    piecewise-constant rates, so a step neither gains nor loses arrivals at its edges."""
    o = _opts(user.environment)
    rng = user.rng
    poisson = o.arrivals == "poisson"
    assert PLAN is not None
    t = 0.0  # the plan's clock: arrivals due before this user started are sent at once (and counted as late)
    need = rng.expovariate(1.0) if poisson else rng.random()
    while True:
        stage = PLAN.stage_at(t)
        if stage is None:
            gevent.sleep(3600)  # the plan is over; the shape ends the run
            continue
        rate = rate_of(stage)
        available = (stage.end - t) * rate
        if available < need:
            need -= available
            t = stage.end
            continue
        t += need / rate
        need = rng.expovariate(1.0) if poisson else 1.0
        delay = T0 + t - time.perf_counter()
        if delay > 0:
            gevent.sleep(delay)
        elif -delay > LATE_SECONDS:
            COUNTERS["late"] += 1
            COUNTERS["max_lag"] = max(COUNTERS["max_lag"], -delay)
        spawn(T0 + t, stage)


def _spawn_tracked(meta: tuple[str, str, float] | None, fn: Any, *args: Any) -> None:
    """Run one arrival in its own greenlet; an arrival still running when the test stops is reported as failed
    (never silently lost)."""
    g = INFLIGHT.spawn(fn, *args)
    if meta is not None:
        OPEN[g] = meta
        g.link(lambda done: OPEN.pop(done, None))


def _failure_text(r: Any) -> str:
    """A failed response's status and text for the report: a connection error has no text (FastHttp gives None:
    ``r.text[:200]`` raised TypeError, which replaced the real cause), and ID numbers are masked."""
    text = r.text if isinstance(r.text, str) else ""
    if not text and getattr(r, "error", None) is not None:
        text = f"{type(r.error).__name__}: {r.error}"
    return f"{r.status_code}: {mask_ids(text)[:200]}"  # masked before the cut: a cut number is not matched


def _fire(environment: Any, kind: str, name: str, scheduled: float, done: float | None, length: int,
          error: str | None) -> None:
    environment.events.request.fire(
        request_type=kind, name=name, response_time=((done or time.perf_counter()) - scheduled) * 1000,
        response_length=length, exception=RuntimeError(error) if error else None, context={},
    )


def _await(user: Any, agency: str, ticket_id: str, waiter: Waiter, base: str, timeout: float, name: str) -> bool:
    """Wait for the answer: the receiver sets the waiter (callback), or poll the ticket until complete."""
    o = _opts(user.environment)
    if o.wait == "callback":
        return waiter.event.wait(timeout)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        with user.client.get(f"{base}/agencies/{agency}/requests/{ticket_id}", headers=TARGET.headers,
                             name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"poll {_failure_text(r)}")
                return False
            feedback = r.json().get("feedback")
        if feedback:
            waiter.add(feedback, time.perf_counter(), cumulative=True)
            if waiter.done_at is not None:
                return True
        gevent.sleep(o.poll_interval)
    return False


class CourtUser(FastHttpUser):
    """A court: 集约查询 for its debtors through the 总对总 hub, at the plan's rate shared among the courts."""

    fixed_count = 20
    concurrency = 64
    network_timeout = 30.0
    connection_timeout = 10.0
    _numbers = itertools.count()

    def on_start(self) -> None:
        n = next(CourtUser._numbers)
        self.region = COURT_REGIONS[n % len(COURT_REGIONS)]
        self.court_code = f"LT{self.region}{n:03d}"
        self.rng = random.Random(f"{RUN_ID}:{n}")
        self.inflight = 0

    @task
    def send_inquiries(self) -> None:
        courts = max(1, _opts(self.environment).courts)
        _arrivals(self, lambda stage: stage.rate / courts, self._spawn)

    def _spawn(self, scheduled: float, stage: Stage) -> None:
        if self.inflight >= _opts(self.environment).max_inflight:
            COUNTERS["dropped"] += 1
            _fire(self.environment, FANOUT_TYPE, stage.fanout_name, scheduled, None, 0,
                  "在途过多，未发出 / too many in flight: not sent")
            return
        self.inflight += 1
        _spawn_tracked((FANOUT_TYPE, stage.fanout_name, scheduled), self._fanout, scheduled, stage)

    def _fanout(self, scheduled: float, stage: Stage) -> None:
        try:
            self._one_fanout(scheduled, stage)
        except Exception as err:  # reported, never lost
            log.exception("fan-out")
            _fire(self.environment, FANOUT_TYPE, stage.fanout_name, scheduled, None, 0, f"{type(err).__name__}: {err}")
        finally:
            self.inflight -= 1

    def _one_fanout(self, scheduled: float, stage: Stage) -> None:
        o = _opts(self.environment)
        env = self.environment
        debtor = TARGET.debtor(self.rng)
        assert TARGET.directory is not None
        seq = next(SEQ)
        request_no = f"LT{RUN_ID}-{os.getpid()}-{seq}"
        body = {
            "request_no": request_no, "court_code": self.court_code, "case_no": f"(2026)压{self.region}执{seq}号",
            "measure": "00", "subject": debtor,
        }
        agency = o.agency or HUB
        if o.agency:  # one agency's endpoint: one answer completes the inquiry
            waiter = Waiter(None)
        else:
            scope = tuple(a.code for a in inquiry_scope(TARGET.directory, debtor["id_number"], self.region,
                                                       SubjectKind(debtor["kind"])))
            waiter = Waiter(frozenset(scope))
            body["scope"] = list(scope)
        if o.wait == "callback":
            body["callback_url"] = RECEIVER.url
            RECEIVER.waiting[request_no] = waiter  # before the submit: a callback may beat the response
        base = TARGET.url_for(debtor["id_number"])
        try:
            with self.client.post(f"{base}/agencies/{agency}/requests", data=json.dumps(body, ensure_ascii=False),
                                  headers=TARGET.headers, name=f"/agencies/{agency}/requests (集约查询 submit)",
                                  catch_response=True) as r:
                if r.status_code not in (200, 202):
                    r.failure(f"submit {_failure_text(r)}")
                    _fire(env, FANOUT_TYPE, stage.fanout_name, scheduled, None, 0, f"提交失败 / submit {r.status_code}")
                    return
                ticket_id = r.json()["ticket_id"]
            ok = _await(self, agency, ticket_id, waiter, base, o.fanout_timeout,
                        f"/agencies/{agency}/requests/[ticket] (poll)")
        finally:
            RECEIVER.waiting.pop(request_no, None)
        COUNTERS["parts"] += waiter.parts
        error = None
        if o.agency:
            fb = waiter.feedback or {}
            if not ok:
                error = f"超时：{o.agency} 未答复 / timed out: {o.agency} did not answer"
            elif not fb.get("ok"):
                error = (f"机构查询失败 / the agency's query failed: {mask_ids(str(fb.get('code')))}: "
                         f"{mask_ids(str(fb.get('message')))[:160]}")
            else:
                waiter.answered.add(o.agency)
                waiter.found.extend({"agency": o.agency, **h} for h in fb.get("holdings") or ())
        elif not ok:
            missing = len(waiter.scope - waiter.answered) if waiter.scope else 0
            error = f"超时：{missing} 家机构未答复 / timed out: {missing} agencies of the scope did not answer"
        elif waiter.extra:
            error = f"范围外机构答复 / answers from outside the scope: {sorted(waiter.extra)[:5]}"
        elif waiter.failed:
            error = f"机构查询失败 / agency queries failed: {waiter.failed[:5]}"
        _fire(env, FANOUT_TYPE, stage.fanout_name, scheduled, waiter.done_at, len(waiter.answered), error)
        if ok and ControlUser.fixed_count:
            for h in waiter.found:
                if h.get("online_controllable") and h.get("kind") in ("deposit", "balance"):
                    FOUND.append({"debtor": debtor, **h})


class ControlUser(FastHttpUser):
    """Control traffic: freeze found property, renew, deduct and release freezes, in the ``--control-mix``."""

    fixed_count = 2
    concurrency = 64
    network_timeout = 30.0
    connection_timeout = 10.0
    _numbers = itertools.count()

    def on_start(self) -> None:
        n = next(ControlUser._numbers)
        self.rng = random.Random(f"{RUN_ID}:control:{n}")
        self.court_code = f"LTC{n:03d}"
        mix = parse_mix(_opts(self.environment).control_mix)
        self.ops, self.weights = list(mix), list(mix.values())

    @task
    def send_measures(self) -> None:
        o = _opts(self.environment)
        per_user = o.control_rate / max(1, o.control_users)
        _arrivals(self, lambda stage: per_user if stage.kind != "drain" else 0.0,
                  lambda scheduled, stage: _spawn_tracked(None, self._measure, scheduled))

    def _measure(self, scheduled: float) -> None:
        op = self.rng.choices(self.ops, self.weights)[0]
        freeze = None
        if op != "freeze":
            if not FREEZES:
                op = "freeze"  # nothing frozen yet: freeze first
            else:
                freeze = FREEZES.pop(self.rng.randrange(len(FREEZES)))  # exclusive while in use
        if op == "freeze" and not FOUND:
            return  # no property found yet (the courts' fan-outs fill it)
        try:
            keep = self._run(op, freeze, scheduled)
        except Exception as err:
            log.exception("control measure")
            code, zh = MEASURES[op]
            _fire(self.environment, CONTROL_TYPE, f"{code} {zh} {op} → 答复 answer", scheduled, None, 0,
                  f"{type(err).__name__}: {err}")
            keep = freeze
        if keep is not None:
            FREEZES.append(keep)

    def _run(self, op: str, freeze: dict[str, Any] | None, scheduled: float) -> dict[str, Any] | None:
        """One measure, submitted and answered; returns the freeze to keep in the pool (or None)."""
        o = _opts(self.environment)
        code, zh = MEASURES[op]
        name = f"{code} {zh} {op} → 答复 answer"
        seq = next(SEQ)
        if op == "freeze":
            found = self.rng.choice(FOUND)
            debtor, agency = found["debtor"], found["agency"]
            court, case = self.court_code, f"(2026)压控执{RUN_ID}{seq}号"
            extra: dict[str, Any] = {"account_no": found["account_no"],
                                     "amount_cents": max(100, min(found.get("available_cents") or 0, 5_000_000))}
        else:
            assert freeze is not None
            debtor, agency, court, case = freeze["debtor"], freeze["agency"], freeze["court"], freeze["case"]
            extra = {"freeze_id": freeze["freeze_id"]}
            if op == "deduct":
                extra.update(amount_cents=max(1, freeze["amount"] // 2), target_account=sub_account_no(court, case))
        request_no = f"LT{RUN_ID}-{os.getpid()}-c{seq}"
        body = {"request_no": request_no, "court_code": court, "case_no": case, "measure": code, "subject": debtor,
                **extra}
        waiter = Waiter(None)
        if o.wait == "callback":
            body["callback_url"] = RECEIVER.url
            RECEIVER.waiting[request_no] = waiter
        base = TARGET.url_for(debtor["id_number"])
        try:
            with self.client.post(f"{base}/agencies/{agency}/requests", data=json.dumps(body, ensure_ascii=False),
                                  headers=TARGET.headers, name=f"/agencies/[code]/requests ({code} {zh} {op})",
                                  catch_response=True) as r:
                if r.status_code not in (200, 202):
                    r.failure(f"submit {_failure_text(r)}")
                    _fire(self.environment, CONTROL_TYPE, name, scheduled, None, 0, f"submit {r.status_code}")
                    return freeze
                ticket_id = r.json()["ticket_id"]
            ok = _await(self, agency, ticket_id, waiter, base, o.fanout_timeout,
                        "/agencies/[code]/requests/[ticket] (poll)")
        finally:
            RECEIVER.waiting.pop(request_no, None)
        fb = waiter.feedback or {}
        error = None if ok else "超时 / timed out"
        if ok and not fb.get("ok") and fb.get("code") not in ("1001", "1003"):  # nothing to control is an answer
            error = f"{mask_ids(str(fb.get('code')))}: {mask_ids(str(fb.get('message')))[:160]}"
        _fire(self.environment, CONTROL_TYPE, name, scheduled, waiter.done_at, 0, error)
        if op == "freeze":
            amount = fb.get("amount_controlled_cents") or 0
            if ok and fb.get("freeze_id") and amount > 0:
                return {"debtor": debtor, "agency": agency, "court": court, "case": case,
                        "freeze_id": fb["freeze_id"], "amount": amount}
            return None
        if op == "release" or (op == "deduct" and ok):
            return None  # released, or partly taken: the rest is released later by no one (fine for load)
        return freeze


# -- the load shape -------------------------------------------------------------------------------------------


class RateSteps(LoadTestShape):
    """Runs the plan: the courts and control users stay for its whole length (the arrival rate is the plan's,
    not the user count's); then the run ends."""

    def tick(self) -> tuple[int, float] | None:
        o = self.runner.environment.parsed_options if self.runner else None
        if o is None:
            return None
        plan = _plan(o)
        # the plan's own clock (T0, set once the test has started and the target is found), not the shape's: the
        # shape's clock starts before ``test_start``, and finding the target (an HTTP lookup, the seeded world's
        # import) once took longer than a short plan on a loaded machine — the run ended with no arrival sent
        if T0 and time.perf_counter() - T0 > plan.total:
            return None
        users = max(1, o.courts) + max(0, o.control_users)
        return users, float(min(users * 20, 100))  # fast (locust warns above 100/s); arrivals keep the plan's clock


# -- verdict --------------------------------------------------------------------------------------------------


@events.quitting.add_listener
def _self_contained_report(environment: Any, **_: Any) -> None:
    """``locust.html`` (``--html``, written before ``quitting``) made to need no file outside itself: locust links
    two favicons at ``../../assets/``, which are never there beside a report; inlined from locust's own assets."""
    o = _opts(environment)
    path = Path(getattr(o, "html_file", None) or "") if o is not None else None
    if path is None or not path.name or isinstance(environment.runner, WorkerRunner) or not path.is_file():
        return
    try:  # a page that cannot be made self-contained is left as locust wrote it: the run and its verdict stand
        page = self_contained(path.read_text(encoding="utf-8"), _locust_assets())
        path.write_text(page, encoding="utf-8")
    except (OSError, ValueError) as err:
        print(f"⚠ {path}：未能内嵌图标，报告保持 locust 原样（{err}）/ the icons were not inlined, the report is as "
              f"locust wrote it ({err})", file=sys.stderr, flush=True)


def _locust_assets() -> Path | None:
    """locust's own web UI assets (the favicons): where its ``locust.html`` says (``DEFAULT_BUILD_PATH``), else beside
    the package (``webui/dist/assets``); None when neither is there — the links are then dropped. Read when the page is
    written, not at import: a locust that moved the name loses the icons, not the run."""
    try:
        from locust.html import DEFAULT_BUILD_PATH

        build = Path(DEFAULT_BUILD_PATH)
    except ImportError:
        import locust

        build = Path(locust.__file__).parent / "webui" / "dist"
    assets = build / "assets"
    return assets if assets.is_dir() else None


def _control(o: Any) -> str:
    """The control traffic as run: none when ``--control-users 0`` (its rate is then never sent)."""
    if o.control_users <= 0 or o.control_rate <= 0:
        return "无 / none"
    return f"{o.control_rate:g}/s（{o.control_users} 个用户 / users）"


@events.quitting.add_listener
def _verdict(environment: Any, **_: Any) -> None:
    runner = environment.runner
    o = _opts(environment)
    if o is None or isinstance(runner, WorkerRunner) or runner is None:
        return
    if PLAN is None:  # the web UI closed before a test was started: nothing to judge (it used to print FAIL)
        VERDICT[:] = ["", "没有运行测试（网页界面中未开始），无判定 / no test was run (none started in the web UI): "
                          "no verdict", ""]
        return
    plan = _plan(o)
    stats = environment.stats
    results = stage_results(plan, lambda name: stats.entries.get((name, FANOUT_TYPE)))
    th = Thresholds(p95_ms=o.p95_ms, min_rate=threshold_rate(o, plan), max_failure_ratio=o.max_failures,
                    poisson=o.arrivals == "poisson", every=o.judge == "every")
    total = stats.total
    ok, lines, sustained = judge(results, th, total.num_requests, total.num_failures)
    # CPU per stage; the bottleneck is read at the most loaded measured stage
    cpu = stage_cpu(plan)
    loaded = [r.stage.label for r in results if r.stage.label in cpu]
    generator, server = cpu[max(loaded, key=lambda lb: next(r.stage.rate for r in results
                                                          if r.stage.label == lb))] if loaded else ({}, {})
    generator = dict(generator)
    machine = generator.pop("machine", None)
    zh, en = bottleneck(generator, server, os.cpu_count() or 1, machine)
    reports = [COUNTERS, *WORKERS.values()]
    late = sum(r.get("late", 0) for r in reports)
    lag = max((r.get("max_lag", 0.0) for r in reports), default=0.0)
    dropped = sum(r.get("dropped", 0) for r in reports)
    callbacks = sum(r.get("callbacks", 0) for r in reports)
    table = knee_table(results, th, cpu)
    title = (f"{o.agency} 查控接口负载判定 / {o.agency} endpoint load verdict" if o.agency else
             "集约查询负载判定 / fan-out load verdict")  # a bank's own endpoint is no fan-out through the hub
    out = ["", f"== zhixing {title} ==",
           f"目标 / target: {environment.host} ({len(TARGET.urls)} 个分片 / shard(s))"
           + (f"，直接发给机构 / straight to the agency {o.agency}" if o.agency else "") + f"; 等待 / wait: {o.wait}; "
           f"到达 / arrivals: {o.arrivals}; 法院 / courts: {o.courts}; 控制 / control: {_control(o)}",
           *table,
           "CPU 为各进程占一个核的比例 / CPU: each process's share of one core; 本机 / this machine: "
           f"{os.cpu_count()} 核 cores",
           f"瓶颈（最高测量阶段）/ bottleneck (highest measured stage): {zh} / {en}",
           f"生成端延迟 / generator lag: {late} 次到达晚于计划 {LATE_SECONDS * 1000:.0f} ms 以上 / arrivals late "
           f"by > {LATE_SECONDS * 1000:.0f} ms, 最大 / max {lag * 1000:.0f} ms; 因在途过多未发出 / dropped: {dropped}",
           *lines,
           f"判定 / verdict: {'通过 PASS' if ok else '未通过 FAIL'}", ""]
    VERDICT[:] = out  # printed on quit, after locust's own tables: the last thing on the screen
    if o.report_dir:
        d = Path(o.report_dir)
        d.mkdir(parents=True, exist_ok=True)
        (d / "verdict.txt").write_text("\n".join(out), encoding="utf-8")
        (d / "verdict.json").write_text(json.dumps({
            "ok": ok, "sustained_rate": sustained, "host": environment.host, "shards": len(TARGET.urls),
            "wait": o.wait, "agency": o.agency or None, "threshold_rate": th.min_rate, "judge": o.judge,
            "stages": [{"label": r.stage.label, "rate": r.stage.rate, "achieved": r.achieved, "count": r.count,
                        "failures": r.failures, "p50": r.p50, "p95": r.p95, "p99": r.p99} for r in results],
            "cpu": {label: {"generator": g, "server": v} for label, (g, v) in cpu.items()},
            "cores": os.cpu_count(),
            "bottleneck": en, "late_arrivals": late, "max_lag_s": lag, "dropped": dropped, "callbacks": callbacks,
            "requests": total.num_requests, "failures": total.num_failures,
        }, ensure_ascii=False, indent=2), encoding="utf-8")
        (d / "verdict.html").write_text(verdict_html(out, ok, title), encoding="utf-8")
    environment.process_exit_code = 0 if ok else 1  # the verdict decides (failed requests are in it)


VERDICT: list[str] = []


def verdict_html(lines: list[str], ok: bool, title: str = "集约查询负载判定 / fan-out load verdict") -> str:
    """The verdict as a self-contained page, Chinese first (locust's own ``locust.html`` is in English and does not
    hold the verdict): the knee table as a table, each check a line, a link to locust's report beside it."""
    import html

    rows, body = [], []

    def flush() -> None:
        if rows:
            head, *rest = rows
            body.append("<table><thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr></thead>"
                        "<tbody>" + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                                            for r in rest) + "</tbody></table>")
            rows.clear()

    for line in lines:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= {"-"} for c in cells):
                rows.append(cells)
            continue
        flush()
        if line.strip() and not line.startswith("=="):
            body.append(f"<p>{html.escape(line)}</p>")
    flush()
    verdict = "通过 PASS" if ok else "未通过 FAIL"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;margin:1em 0}"
        "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:right}th:first-child,td:first-child{text-align:left}"
        ".pass{color:#1a7f37}.fail{color:#cf222e}</style></head><body>"
        f"<h1>{html.escape(title)}：<span class=\"{'pass' if ok else 'fail'}\">{verdict}</span></h1>"
        + "".join(body)
        + "<p>逐请求的统计见同一目录中 locust 自己的报告 locust.html（英文界面）/ per-request statistics: locust's own "
        "report, locust.html in the same folder</p></body></html>\n"
    )


@events.quit.add_listener
def _print_verdict(**_: Any) -> None:
    """The verdict is the last thing printed: locust prints its statistics tables after ``quitting``, which used to
    push the verdict up out of sight (three tables of some 40 lines)."""
    if VERDICT:
        print("\n".join(VERDICT), flush=True)
