"""The pure parts of the load test (no locust, no gevent): the arrival-rate schedule, the request names, the
verdict against thresholds, CPU accounting and the debtor fixtures. Imported by ``locustfile.py`` and
``run.py``; never by the packages or by ``tests/``.
"""

from __future__ import annotations

import base64
import csv
import ipaddress
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FANOUT_TYPE = "集约查询"  # the request type of a fan-out's completion in locust's statistics
CONTROL_TYPE = "查控"  # the request type of a control measure's answer
DEFAULT_MIX = "freeze=4,renew=2,deduct=2,release=2"
MEASURES = {"freeze": ("01", "冻结"), "renew": ("02", "续冻"), "release": ("04", "解冻"), "deduct": ("06", "扣划")}


@dataclass(frozen=True, slots=True)
class Stage:
    """A span of the run with one target arrival rate (cases per second)."""

    index: int  # 0 warm-up, 1… measured steps; the drain has index -1
    rate: float
    start: float  # seconds from the test's start
    seconds: float
    kind: str  # "warmup" | "step" | "drain"

    @property
    def end(self) -> float:
        return self.start + self.seconds

    @property
    def measured(self) -> bool:
        return self.kind == "step"

    @property
    def label(self) -> str:
        if self.kind == "warmup":
            return f"预热 warm-up {self.rate:g}/s"
        if self.kind == "drain":
            return "收尾 drain"
        return f"s{self.index} {self.rate:g}/s"

    @property
    def fanout_name(self) -> str:
        """The name of this stage's fan-out completions in locust's statistics (UI and CSV)."""
        return f"扇出完成 fan-out complete [{self.label}]"


@dataclass(frozen=True, slots=True)
class Plan:
    stages: tuple[Stage, ...]

    @property
    def total(self) -> float:
        return self.stages[-1].end if self.stages else 0.0

    def stage_at(self, t: float) -> Stage | None:
        for stage in self.stages:
            if stage.start <= t < stage.end:
                return stage
        return None

    def measured(self) -> list[Stage]:
        return [s for s in self.stages if s.measured]


def build_plan(
    *,
    rate: float,
    duration: float,
    warmup: float = 0.0,
    steps: Sequence[float] = (),
    step_time: float = 15.0,
    rate_file: str | None = None,
    drain: float = 3.0,
) -> Plan:
    """Warm-up (not judged), then the measured steps, then a drain at rate 0 (fan-outs in flight finish).

    ``steps`` (a knee search: each rate for ``step_time`` s) or ``rate_file`` (CSV rows ``seconds,rate``: e.g.
    a simulated day's 集约查询 volume, compressed) replace the single step ``rate`` × ``duration``."""
    if rate_file:
        pairs = read_rate_file(rate_file)
    elif steps:
        pairs = [(step_time, float(r)) for r in steps]
    else:
        pairs = [(duration, rate)]
    for seconds, r in pairs:
        if not (math.isfinite(seconds) and math.isfinite(r)) or seconds <= 0 or r < 0:
            raise ValueError(f"阶段时长须为正、速率不能为负 / stage seconds must be > 0 and rates ≥ 0: {seconds}, {r}")
    stages: list[Stage] = []
    t = 0.0
    if warmup > 0:
        stages.append(Stage(0, pairs[0][1], t, warmup, "warmup"))
        t += warmup
    for i, (seconds, r) in enumerate(pairs, start=1):
        stages.append(Stage(i, r, t, seconds, "step"))
        t += seconds
    if drain > 0:
        stages.append(Stage(-1, 0.0, t, drain, "drain"))
    return Plan(tuple(stages))


def read_rate_file(path: str) -> list[tuple[float, float]]:
    """``seconds,rate`` rows (the first row may be a header; ``#`` comments and blank lines allowed). A bad row is
    named by its line (``path:3: …``): a semicolon- or tab-separated row too (only the first row may be a header,
    so a file with no comma-separated row is not silently read as "no stages")."""
    out = []
    first = True
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        for row in reader:
            if not "".join(row).strip() or row[0].strip().startswith("#"):
                continue
            try:
                if len(row) != 2:
                    raise ValueError
                out.append((float(row[0]), float(row[1])))
            except ValueError:
                if not first:
                    text = ",".join(row)
                    raise ValueError(f"{path}:{reader.line_num}: 行无效 {text!r}，应为 秒数,速率"
                                     f"（半角逗号分隔，如 60,100） / bad row {text!r}: seconds,rate "
                                     "(comma-separated, e.g. 60,100)") from None
            first = False
    if not out:
        raise ValueError(f"{path}: 没有阶段（行应为 秒数,速率，半角逗号分隔，如 60,100） / "
                         "no stages (rows seconds,rate, comma-separated, e.g. 60,100)")
    return out


def _finite_at_least_zero(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) and value >= 0 else math.nan


def _parts(option_text: str) -> list[str]:
    """Comma-separated parts (a full-width ``，`` too), each stripped; a part holding a space is an error (``100 200``
    was read as 100200 cases/s: the spaces were removed)."""
    parts = [part.strip() for part in option_text.replace("，", ",").split(",")]
    for part in parts:
        if any(c.isspace() for c in part):
            raise ValueError(f"{part!r} 中有空格：各项请用逗号分隔，如 100,200 / {part!r} holds a space: separate the "
                             "items with commas, e.g. 100,200")
    return [part for part in parts if part]


def parse_rates(text: str) -> list[float]:
    """``50,100,200`` → rates (cases per second, each ≥ 0)."""
    out = []
    for part in _parts(text):
        rate = _finite_at_least_zero(part)
        if math.isnan(rate):
            raise ValueError(f"无法识别的速率 {part!r}（应为逗号分隔的非负数，如 50,100,200） / unrecognised rate "
                             f"{part!r} (comma-separated numbers ≥ 0, e.g. 50,100,200)")
        out.append(rate)
    return out


def parse_mix(text: str) -> dict[str, float]:
    """``freeze=4,renew=2,…`` → weights; unknown operations are an error."""
    mix: dict[str, float] = {}
    for part in _parts(text.replace(" =", "=").replace("= ", "=")):
        name, _, weight = part.partition("=")
        if name not in MEASURES:
            raise ValueError(f"未知的控制操作 {name!r}，可选：{', '.join(MEASURES)} / unknown operation {name!r}; one "
                             f"of: {', '.join(MEASURES)}")
        mix[name] = _finite_at_least_zero(weight or "1")
        if math.isnan(mix[name]):
            raise ValueError(f"{name} 的比例应为非负数：{weight!r} / the weight of {name} must be a number ≥ 0: "
                             f"{weight!r}")
    if not mix or sum(mix.values()) <= 0:
        raise ValueError(f"控制操作比例为空：{text!r} / empty control mix: {text!r}")
    return mix


def require_loopback(url: str) -> str:
    """Only loopback addresses may be targets (``127.0.0.0/8``, ``::1``, ``localhost``), as ``http(s)://host:port``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"目标地址须写成 http://主机:端口，如 http://127.0.0.1:8700：{url!r} / "
                         f"the target must be written http://host:port, e.g. http://127.0.0.1:8700: {url!r}")
    host = parts.hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"只允许本机地址作为压测目标：{url!r}（远端系统请经本机端口转发接入）/ only loopback targets are "
            f"allowed: {url!r} (reach a remote system through a port forwarded to loopback)"
        )
    return url.rstrip("/")


def mask_ids(text: str) -> str:
    """ID numbers, credit codes and account / card numbers in a server's error text masked by the project's one rule
    (``core_flow.masking``: ``654003********1072``, ``6222***********0123``): failure messages go into the CSV and
    HTML reports. Masked before any cut — a number cut first kept its birth date (its first 12 characters) in
    clear, and a bank's account number echoed in an error (16–19 digits) was kept whole."""
    from core_flow.masking import mask_text

    return mask_text(text)


# -- reports ----------------------------------------------------------------------------------------------


def inline_reference(value: str) -> bool:
    """Whether a ``src`` / ``href`` value needs nothing outside the page: a fragment (``#…``) or a ``data:`` URI."""
    return value.strip().startswith(("#", "data:"))


class _References(HTMLParser):
    """The tags whose ``src`` / ``href`` points outside the page, with where each starts (script and style contents
    are not markup to the parser: the report's JavaScript bundle is not searched)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple[int, int], str, str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if any(k in ("src", "href") and not inline_reference(v) for k, v in values.items()):
            self.found.append((self.getpos(), self.get_starttag_text() or "", tag, values))

    handle_startendtag = handle_starttag


def self_contained(page: str, assets: Path | None = None) -> str:
    """An HTML page with every ``<link>`` to a file or URL outside it inlined or dropped: an icon found by its file
    name in ``assets`` (locust's own ``webui/dist/assets``) becomes a ``data:`` URI, any other such link is removed.
    locust 2.x writes ``locust.html`` with ``<link rel="shortcut icon" href="../../assets/favicon-*.png">``, files
    that are never beside a report (and a court intranet has no network to fetch anything from)."""
    parser = _References()
    parser.feed(page)
    parser.close()
    starts = [0]
    for line in page.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    for (line, col), text, tag, attrs in reversed(parser.found):
        at = starts[line - 1] + col
        if tag != "link" or page[at:at + len(text)] != text:
            continue
        href = attrs.get("href", "")
        icon = assets / Path(href.split("?")[0]).name if assets is not None and href else None
        replacement = ""
        if "icon" in attrs.get("rel", "").lower() and icon is not None and icon.is_file() and icon.suffix == ".png":
            data = base64.b64encode(icon.read_bytes()).decode("ascii")
            replacement = text.replace(href, f"data:image/png;base64,{data}", 1)
        page = page[:at] + replacement + page[at + len(text):]
    return page


# -- fixtures ---------------------------------------------------------------------------------------------


def _element_lines(text: str, key: str) -> list[int]:
    """The line on which each element of the top-level array ``key`` starts (empty when it cannot be told)."""
    found = re.search(r'"' + key + r'"\s*:\s*\[', text)
    if found is None:
        return []
    decoder = json.JSONDecoder()
    lines, at = [], found.end()
    try:
        while True:
            while text[at] in " \t\r\n,":
                at += 1
            if text[at] == "]":
                return lines
            lines.append(text.count("\n", 0, at) + 1)
            _, at = decoder.raw_decode(text, at)
    except (IndexError, ValueError):
        return []


def load_fixtures(path: str) -> dict[str, Any]:
    """A fixtures file (``loadtests/fixtures.py`` writes one): ``{"debtors": [{"kind", "name", "id_number"}…],
    "agencies"?: [catalogue rows]}``. A bad entry is named by its place and line (``path:12: debtors[2]: …``)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    data = json.loads(text)
    debtors = data.get("debtors") if isinstance(data, dict) else None
    if not isinstance(debtors, list) or not debtors:
        raise ValueError(f"{path}: 需要非空的 debtors 列表（每项含 kind、name、id_number；"
                         "loadtests/fixtures.py 可写出） / needs a non-empty debtors list (kind, name, id_number "
                         "each; loadtests/fixtures.py writes one)")

    def where(key: str, i: int, lines: list[int]) -> str:
        return f"{path}:{lines[i]}: {key}[{i}]" if i < len(lines) else f"{path}: {key}[{i}]"

    lines = _element_lines(text, "debtors")
    for i, d in enumerate(debtors):
        if not isinstance(d, dict):
            raise ValueError(f"{where('debtors', i, lines)}: 应为对象 / must be an object")
        missing = [k for k in ("kind", "name", "id_number") if not isinstance(d.get(k), str) or not d[k].strip()]
        if missing:
            near = sorted(set(d) - {"kind", "name", "id_number"})
            zh_hint, en_hint = (f"（此项另有 {', '.join(near)}）", f" (it has {', '.join(near)})") if near else ("", "")
            raise ValueError(f"{where('debtors', i, lines)}: 缺少 {', '.join(missing)}{zh_hint} / missing "
                             f"{', '.join(missing)}{en_hint}")
        if d["kind"] not in ("person", "company"):
            raise ValueError(f"{where('debtors', i, lines)}: kind 应为 person（自然人）或 company（单位）："
                             f"{d['kind']!r} / kind must be person or company: {d['kind']!r}")
        if not d["id_number"].isascii() or len(d["id_number"]) != 18:
            raise ValueError(f"{where('debtors', i, lines)}: id_number 应为 18 位证件号码（身份证号或统一社会信用"
                             "代码） / id_number must be an 18-character ID number (resident ID or unified social "
                             "credit code)")
    agencies = data.get("agencies")
    if agencies is not None:
        from core_flow.agency_directory import AgencyDirectory
        from core_flow.protocol import AgencyGroup

        if not isinstance(agencies, list):
            raise ValueError(f"{path}: agencies 应为列表 / agencies must be a list")
        lines = _element_lines(text, "agencies")
        groups = [g.value for g in AgencyGroup]
        for i, row in enumerate(agencies):
            if isinstance(row, dict) and row.get("group") not in groups:
                raise ValueError(f"{where('agencies', i, lines)}: group 无效 {row.get('group')!r}，可选 "
                                 f"{', '.join(groups)} / bad group {row.get('group')!r}; one of {', '.join(groups)}")
            try:
                AgencyDirectory.from_json([row])
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                raise ValueError(f"{where('agencies', i, lines)}: 机构目录项无效（{type(err).__name__}: {err}） / "
                                 f"bad catalogue row ({type(err).__name__}: {err})") from None
    return data


# -- CPU --------------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process (Linux /proc; None when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bottleneck(
    generator: dict[str, float], server: dict[str, float], cores: int, machine: float | None = None
) -> tuple[str, str]:
    """Which side limits: each value is the busy share of one core of a process over a stage; ``machine`` the
    busy cores of the whole machine (other processes included)."""
    busiest_gen = max(generator.values(), default=0.0)
    busiest_srv = max(server.values(), default=0.0)
    total = sum(generator.values()) + sum(server.values())
    others = (machine - total) if machine is not None else 0.0
    if machine is not None and machine >= 0.85 * cores and others >= 0.25 * cores:
        return (f"整机：本机 {cores} 核已满，其他进程占约 {others:.1f} 核（结果偏低，请在空闲时重测）",
                f"the machine: its {cores} cores are full and other processes take ~{others:.1f} of them "
                "(figures understated: measure again when it is idle)")
    if server and busiest_srv >= 0.85 and busiest_srv >= busiest_gen:
        return ("服务端：分片进程接近满核", "the server: a shard process is close to a full core")
    if busiest_gen >= 0.85:
        return ("压测端：locust 进程接近满核（增加 --processes）",
                "the generator: a locust process is close to a full core (add --processes)")
    if total >= 0.85 * cores:
        return (f"整机：生成端与服务端合计约占满 {cores} 核",
                f"the machine: generator and server together fill {cores} cores")
    return ("都不是：CPU 有余量，时间花在等待上", "neither: CPU to spare; the time goes to waiting")


# -- verdict ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Thresholds:
    p95_ms: float = 500.0  # 0: not checked
    min_rate: float = 100.0  # 0: not checked
    max_failure_ratio: float = 0.01
    reach: float = 0.95  # a stage counts as carried at its target when ≥ this share of the arrivals was sent
    poisson: bool = True  # arrivals are random: allow three standard deviations below the expected count too
    every: bool = False  # --judge every: every measured stage sending at ≥ min_rate is judged, not only the lowest

    def carried(self, stage: Stage, count: int) -> bool:
        """Whether ``count`` arrivals in ``stage`` show the generator kept to the stage's target rate."""
        expected = stage.rate * stage.seconds
        floor = self.reach * expected
        if self.poisson:
            floor = min(floor, expected - 3 * math.sqrt(expected))
        return count >= floor


@dataclass(frozen=True, slots=True)
class StageResult:
    stage: Stage
    count: int
    failures: int
    p50: float
    p95: float
    p99: float

    @property
    def achieved(self) -> float:
        return self.count / self.stage.seconds if self.stage.seconds else 0.0

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.count if self.count else 0.0

    def meets(self, th: Thresholds) -> bool:
        return (
            self.count > 0
            and th.carried(self.stage, self.count)
            and (th.p95_ms <= 0 or self.p95 < th.p95_ms)
            and self.failure_ratio < th.max_failure_ratio
        )


def judge(
    results: list[StageResult], th: Thresholds, total_requests: int, total_failures: int
) -> tuple[bool, list[str], float]:
    """The verdict lines (Chinese first, English beside), whether it passed, and the sustained rate (the highest
    measured target rate whose stage met p95, failures and reach)."""
    lines: list[str] = []
    ok = True
    sustained = max((r.stage.rate for r in results if r.meets(th)), default=0.0)
    # a stage at rate 0 (a quiet hour of a replayed day) sends nothing to judge: with --min-rate 0 it was the judged
    # "lowest stage", and failed for its 0 arrivals
    qualifying = [r for r in results if r.stage.rate > 0 and r.stage.rate >= th.min_rate]
    if th.every and len(qualifying) > 1:
        return _judge_every(qualifying, th, sustained)
    judged = min(qualifying, key=lambda r: r.stage.rate) if qualifying else None
    if judged is None:
        lines.append(f"✗ 没有速率 ≥ {th.min_rate:g} 件/秒 的测量阶段 / no measured stage at ≥ {th.min_rate:g} cases/s")
        return False, lines, sustained
    tag = f"[{judged.stage.label}]"
    reached = th.carried(judged.stage, judged.count)
    ok &= reached
    lines.append(
        f"{'✓' if reached else '✗'} 到达速率 / arrivals {tag}: {judged.achieved:.1f} 件/秒 cases/s "
        f"(目标 target {judged.stage.rate:g}; 至少 at least {th.reach:.0%}"
        + (", 泊松到达另容许 3σ / Poisson arrivals: or within 3σ)" if th.poisson else ")")
    )
    if th.p95_ms > 0:
        good = judged.count > 0 and judged.p95 < th.p95_ms
        ok &= good
        lines.append(f"{'✓' if good else '✗'} 扇出 p95 / fan-out p95 {tag}: {judged.p95:.0f} ms (< {th.p95_ms:g} ms)")
    single = len(results) == 1
    if single:  # a steady run: every request of the run (fan-outs, HTTP, control) counts
        ratio = total_failures / total_requests if total_requests else 0.0
        what = "全部请求 / all requests"
    else:  # a knee search: the judged stage's fan-outs (later stages are meant to break)
        ratio = judged.failure_ratio
        what = f"扇出 / fan-outs {tag}"
    good = ratio < th.max_failure_ratio and judged.count > 0
    ok &= good
    lines.append(f"{'✓' if good else '✗'} 失败率 / failures, {what}: {ratio:.2%} (< {th.max_failure_ratio:.0%})")
    if th.min_rate > 0:
        good = sustained >= th.min_rate
        ok &= good
        lines.append(f"{'✓' if good else '✗'} 达标的最高速率 / sustained rate meeting the thresholds: "
                     f"{sustained:g} 件/秒 cases/s (≥ {th.min_rate:g})")
    return ok, lines, sustained


def _judge_every(judged: list[StageResult], th: Thresholds, sustained: float) -> tuple[bool, list[str], float]:
    """``--judge every``: each check on every stage sending at ≥ the threshold rate (a replayed day is judged hour
    by hour, its peak and the hours around it alike), each stage's own fan-outs for the failure ratio. A stage whose
    few expected arrivals did not come (Poisson) is carried with nothing to time: p95 and failures skip it."""
    lines: list[str] = []
    n = len(judged)
    scope = f"各级 / every stage ({n} 级 stages ≥ {th.min_rate:g} 件/秒 cases/s)"

    def verdict(failed: list[str], good_zh: str, good_en: str) -> tuple[bool, str]:
        if failed:
            shown = ", ".join(failed[:6]) + (" …" if len(failed) > 6 else "")
            return False, f"✗ {{what}}, {scope}: {len(failed)} 级未达 / stage(s) missed: {shown}"
        return True, f"✓ {{what}}, {scope}: {good_zh} / {good_en}"

    missed = [f"[{r.stage.label}] {r.achieved:.1f}/s" for r in judged if not th.carried(r.stage, r.count)]
    good, line = verdict(missed, "全部达到", "all carried")
    ok = good
    lines.append(line.format(what=f"到达速率 / arrivals (至少 at least {th.reach:.0%}"
                             + (", 泊松到达另容许 3σ / Poisson: or within 3σ)" if th.poisson else ")")))
    timed = [r for r in judged if r.count > 0]
    if not timed:
        lines.append(f"✗ {scope}: 没有到达 / no arrivals")
        return False, lines, sustained
    if th.p95_ms > 0:
        worst = max(timed, key=lambda r: r.p95)
        slow = [f"[{r.stage.label}] {r.p95:.0f} ms" for r in timed if not r.p95 < th.p95_ms]
        good, line = verdict(slow, f"最高 {worst.p95:.0f} ms [{worst.stage.label}]",
                             f"highest {worst.p95:.0f} ms [{worst.stage.label}]")
        ok &= good
        lines.append(line.format(what=f"扇出 p95 / fan-out p95 (< {th.p95_ms:g} ms)"))
    worst = max(timed, key=lambda r: r.failure_ratio)
    failing = [f"[{r.stage.label}] {r.failure_ratio:.2%}" for r in timed if not r.failure_ratio < th.max_failure_ratio]
    good, line = verdict(failing, f"最高 {worst.failure_ratio:.2%} [{worst.stage.label}]",
                         f"highest {worst.failure_ratio:.2%} [{worst.stage.label}]")
    ok &= good
    lines.append(line.format(what=f"失败率 / failures, 该级扇出 / the stage's fan-outs (< {th.max_failure_ratio:.0%})"))
    return ok, lines, sustained


def knee_table(
    results: list[StageResult], th: Thresholds, cpu: dict[str, tuple[dict[str, float], dict[str, float]]] | None = None
) -> list[str]:
    """The rate → latency table (markdown), with each stage's CPU (share of one core per process) when known."""
    cpu = cpu or {}
    out = ["| 阶段 stage | 目标 target (件/秒 cases/s) | 实到 achieved | 完成 done | p50 ms | p95 ms | p99 ms "
           "| 失败 failures | 生成端 CPU generator | 服务端 CPU server | 整机 machine | 达标 ok |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        gen, srv = cpu.get(r.stage.label, ({}, {}))
        machine = gen.get("machine")
        gen = {k: v for k, v in gen.items() if k != "machine"}
        whole = "–" if machine is None else f"{machine:.2f} 核 cores"
        out.append(
            f"| {r.stage.label} | {r.stage.rate:g} | {r.achieved:.1f} | {r.count} | {r.p50:.0f} | {r.p95:.0f} | "
            f"{r.p99:.0f} | {r.failures} ({r.failure_ratio:.1%}) | {_shares(gen)} | {_shares(srv)} | "
            f"{whole} | {_ok_mark(r, th)} |"
        )
    return out


def _ok_mark(r: StageResult, th: Thresholds) -> str:
    """The table's ok column: '–' where there is nothing to time — a stage at rate 0, or one whose few expected
    (Poisson) arrivals did not come and still count as carried (the verdict passes it: `--judge every` skips it for
    p95 and failures); it read ✗ beside a passing verdict."""
    if r.stage.rate <= 0 or (r.count == 0 and th.carried(r.stage, 0)):
        return "–"
    return "✓" if r.meets(th) else "✗"


def _shares(shares: dict[str, float]) -> str:
    """``42% + 38%`` (busiest first), or ``–``."""
    return " + ".join(f"{v:.0%}" for v in sorted(shares.values(), reverse=True)) if shares else "–"


def stage_results(plan: Plan, entry_of: Callable[[str], Any]) -> list[StageResult]:
    """One result per measured stage from locust's stats entries (``entry_of(name)`` → entry or None)."""
    out = []
    for stage in plan.measured():
        e = entry_of(stage.fanout_name)
        if e is None or not e.num_requests:
            out.append(StageResult(stage, 0, 0, 0.0, 0.0, 0.0))
            continue
        out.append(StageResult(
            stage, e.num_requests, e.num_failures, e.get_response_time_percentile(0.5),
            e.get_response_time_percentile(0.95), e.get_response_time_percentile(0.99),
        ))
    return out
