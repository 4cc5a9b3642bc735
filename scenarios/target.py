"""The system under test of one scenario run: a court reached through the driver interface, and the agencies it
talks to, which the runner arranges itself (the debtors' holdings, the agencies' behaviour).

* in process (default): zhixing's engine (``EngineDriver``) on a virtual court with in-process mock agencies;
* ``--agencies-url``: the same court, its agencies a namespace of a running mock agencies server;
* ``--court-url URL --agencies-url URL``: any court system serving the driver interface's HTTP form
  (``zhixing court serve``, or a vendor's adapter) — each scenario starts a fresh court there (``PUT /court``)
  reaching a fresh namespace of the mock agencies server, which the runner arranges through its admin API;
* a pytest hook (``pytest_zhixing_court_driver``) or ``--court-driver module:attribute``: a vendor's own factory.

A factory is called as ``factory(scenario, court_identity)`` and returns a :class:`Target` (or a built
``core_flow.assembly.Court``, wrapped in an ``EngineDriver``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from core_flow.driver import EngineDriver
from core_flow.driver.protocol import AgenciesSetup, CourtDriver, CourtIdentity, RunSetup
from core_flow.errors import UserError


@dataclass
class Target:
    driver: CourtDriver
    agencies: Any  # the world side: mock_agencies.session.Session or scenarios.remote.RemoteSession
    court: Any = None  # zhixing's in-process court (engine internals), None when reached over HTTP
    closer: Callable[[], None] | None = None

    def close(self) -> None:
        if self.closer is not None:
            self.closer()
        else:
            self.driver.close()

    def sync(self) -> None:
        """Pins the runner queued for a remote namespace are sent before the court acts again."""
        flush = getattr(getattr(self.agencies, "client", None), "flush", None)
        if flush is not None:
            flush()


def as_target(built: Any) -> Target:
    if isinstance(built, Target):
        return built
    return Target(EngineDriver(built), built.session, built)  # a core_flow.assembly.Court


COURT_URL = "--court-url"


def _check_court_url(url: str) -> str:
    """``url`` if it is an ``http(s)://host[:port][/path]`` address; else a bilingual error naming ``--court-url``
    (it went to the HTTP client as given, whose English complaint stood in the Chinese half too)."""
    parts = urlsplit(url.strip())
    try:
        parts.port  # noqa: B018 - raises on a port out of range
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment
    except ValueError:
        ok = False
    if not ok:
        raise UserError(f"被测法院地址无效：{url!r}（应为 http://主机:端口，驱动接口的 HTTP 形式）",
                        f"invalid court address {url!r} (expected http://host:port, the driver interface over HTTP)",
                        where=COURT_URL, code="bad_court_url")
    return url.strip()


def _probe(driver: Any) -> None:
    """``GET /now`` before any scenario: a court answering ``no_court`` (no run started yet) is fine; anything else
    that is not the driver interface — a 404, a web page, not JSON — is said naming ``--court-url``, not as a stack
    trace or a bare 'GET /now: 404' that did not say which option was wrong."""
    try:
        now = driver.now()
    except UserError as err:
        if err.code in ("no_court", "court_unreachable"):  # fine / already naming --court-url
            if err.code == "no_court":
                return
            raise
        raise _not_a_court(driver.base_url, err.zh, err.en) from None
    except Exception as err:  # noqa: BLE001 - an answer that is not the interface's JSON, whatever broke reading it
        raise _not_a_court(driver.base_url, f"读不懂的答复（{type(err).__name__}）",
                           f"an answer it could not read ({type(err).__name__})") from None
    if not isinstance(now, datetime):
        seen = f"{now!r:.80}"
        raise _not_a_court(driver.base_url, f"读不懂的答复（{seen}）", f"an answer it could not read ({seen})")


def _not_a_court(url: str, seen_zh: str, seen_en: str) -> UserError:
    return UserError(f"{url} 不是法院驱动接口（GET /now：{seen_zh}）；应为 zhixing court serve 或实现 "
                     "core_flow/profile/openapi-court-driver.json 的厂商适配器",
                     f"{url} is not a court driver interface (GET /now: {seen_en}); expected zhixing court "
                     "serve or a vendor's adapter implementing core_flow/profile/openapi-court-driver.json",
                     where=COURT_URL, code="not_a_court")


def court_url_factory(court_url: str, agencies_url: str | None,
                      strict_calendar: bool | None = None) -> Callable[[Any, Any], Target]:
    """Scenarios against a court system at ``court_url`` (the driver interface's HTTP form), its agencies a fresh
    namespace per scenario of the mock agencies server at ``agencies_url``."""
    from core_flow.driver import HttpDriver
    from scenarios.remote import AgenciesClient, RemoteSession, check_server, namespace_name

    if not agencies_url:
        raise UserError("--court-url 需同时给出 --agencies-url：被测法院所连接的 zhixing 模拟机构服务（场景在其中布置"
                        "被执行人财产）",
                        "--court-url needs --agencies-url too: the zhixing mock agencies server the court under test "
                        "reaches (where the scenario arranges the debtors' holdings)", where="--court-url",
                        code="needs_agencies_url")
    court_url = _check_court_url(court_url)  # both addresses' form before either is reached
    agencies = check_server(agencies_url)
    driver = HttpDriver(court_url)
    _probe(driver)

    def build(sc: Any, court: Any) -> Target:
        from mock_agencies.clock import as_cst
        from mock_agencies.session import SessionConfig

        namespace = namespace_name()
        setup = RunSetup(origin=sc.case.filed, seed=sc.seed, strict_calendar=strict_calendar,
                         court=CourtIdentity(code=court.code, name=court.name, region=court.region,
                                             intermediate=court.intermediate, high=court.high),
                         agencies=AgenciesSetup(url=agencies, namespace=namespace, profile=sc.profile,
                                                overrides=dict(sc.agencies or {})))
        driver.reset(setup)
        client = AgenciesClient(agencies, namespace)
        client.server_now = as_cst(sc.case.filed)  # the court created the namespace at its origin
        session = RemoteSession(client, SessionConfig(seed=sc.seed, profile=sc.profile,
                                                      overrides=dict(sc.agencies or {}), time_scale=0.0,
                                                      origin=sc.case.filed), driver.now)
        session.disposal_port()  # its ``auction`` for ``bid`` steps on the listings the court under test makes

        def close() -> None:
            try:
                driver.close()
            finally:
                client.close()

        return Target(driver, session, None, close)

    return build


DRIVERS = "zhixing.drivers"  # entry-point group of vendors' driver factories


def _vendor_factory(name: str, load_plugin: Callable[[str, str], Any], agencies_url: str | None,
                    strict_calendar: bool | None) -> Callable[[Any, Any], Any]:
    """The factory a vendor's ``--court-driver`` names, made as the README says (``make(agencies_url=…,
    strict_calendar=…)``). A ``make`` that cannot be called so, or that returns no ``factory(scenario, court)``, is
    said naming ``--court-driver`` (it was a TypeError's stack trace, exit 1 — a failed run's code); what the
    vendor's ``make`` raises once called is the vendor's code and keeps its trace."""
    try:
        make = load_plugin(DRIVERS, name)
    except UserError as err:
        raise UserError(err.zh, err.en, where="--court-driver", code=err.code) from None
    try:
        inspect.signature(make).bind(agencies_url=agencies_url, strict_calendar=strict_calendar)
    except TypeError as err:  # not callable, or not with these keywords
        raise UserError(f"{name} 不能以 make(agencies_url=…, strict_calendar=…) 调用（{err}）；驱动工厂见 "
                        "scenarios/README.md「被测法院可替换」",
                        f"{name} cannot be called as make(agencies_url=…, strict_calendar=…) ({err}); a driver "
                        "factory: scenarios/README.md, 'The court under test is pluggable'", where="--court-driver",
                        code="bad_plugin") from None
    except ValueError:  # a builtin without a signature: let the call say what it says
        pass
    factory = make(agencies_url=agencies_url, strict_calendar=strict_calendar)
    if not callable(factory):
        raise UserError(f"{name} 返回的不是工厂 factory(scenario, court)，而是 {type(factory).__name__}",
                        f"{name} returned no factory(scenario, court) but a {type(factory).__name__}",
                        where="--court-driver", code="bad_plugin")
    return factory


def check_process_option(process: object, *, court_url: str | None = None, court_driver: str | None = None,
                         hook: bool = False) -> None:
    """``--process FILE`` sets zhixing's court: with a court system under test (which has its own configuration) it is
    a usage mistake, said before anything runs."""
    if process is None:
        return
    other = "--court-url" if court_url else "--court-driver" if court_driver else "pytest_zhixing_court_driver" \
        if hook else None
    if other is not None:
        raise UserError(f"--process 设置 zhixing 引擎的法院流程，不与 {other} 同用：被测法院系统有自己的配置，"
                        "测试工具无法为其设置",
                        f"--process sets the process of zhixing's own court and does not go with {other}: a court "
                        "system under test has its own configuration, which the kit cannot set", where="--process",
                        code="bad_option")


def system_under_test(*, agencies_url: str | None = None, court_url: str | None = None,
                      court_driver: str | None = None, strict_calendar: bool | None = None,
                      realtime: bool = False, scale: float | None = None) -> Callable[[Any, Any], Any] | None:
    """The factory of the system under test the options name (None: zhixing's engine, in process, virtual time).

    ``realtime``: zhixing's engine on the real-time clock compressed ``scale``-fold, its agencies served live on
    loopback (``scenarios.realtime``).

    ``court_driver``: an entry point of ``zhixing.drivers`` or ``module:attribute``, called as
    ``make(agencies_url=…, strict_calendar=…)`` and returning ``factory(scenario, court) -> Target``."""
    if realtime:
        if court_url or court_driver or agencies_url:
            raise UserError("--realtime 只用于 zhixing 的引擎与其本机模拟机构服务（不与 --court-url、--court-driver、"
                            "--agencies-url 同用）",
                            "--realtime runs zhixing's engine with its own live agencies on loopback (not with "
                            "--court-url, --court-driver or --agencies-url)", where="--realtime", code="bad_option")
        from scenarios.realtime import realtime_factory

        return realtime_factory(scale or 0.0, strict_calendar=strict_calendar)
    if scale is not None:
        raise UserError("--scale 只与 --realtime 同用", "--scale goes with --realtime", where="--scale",
                        code="bad_option")
    if court_driver:
        from core_flow.assembly import load_plugin

        if court_url:
            raise UserError("--court-url 与 --court-driver 只能选一", "--court-url and --court-driver exclude each "
                            "other", where="--court-driver", code="bad_option")
        return _vendor_factory(court_driver, load_plugin, agencies_url, strict_calendar)
    if court_url:
        return court_url_factory(court_url, agencies_url, strict_calendar)
    if agencies_url:
        from scenarios.remote import check_server, court_factory

        return court_factory(check_server(agencies_url), strict_calendar=strict_calendar)
    return None
