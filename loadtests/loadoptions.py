"""The locustfile's own options, and their checks before anything runs (no locust, no gevent).

``add_options`` defines them on locust's parser (``locustfile.py``) and on ``run.py``'s pre-check, so ``make load``
refuses a bad value before it starts the mock server. ``check_options`` raises :class:`OptionError` naming the
option, in Chinese and English; the load plan, the control mix, the rate file and the fixtures file are all read
here once, so a mistake in any of them is found before the first request.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from loadplan import DEFAULT_MIX, Plan, build_plan, load_fixtures, parse_mix, parse_rates, read_rate_file


class OptionError(ValueError):
    """A load option with a value that cannot work: ``option: 中文 / English``."""

    def __init__(self, option: str, zh: str, en: str) -> None:
        self.option = option
        super().__init__(f"{option}: {zh} / {en}")


def add_options(parser: Any) -> None:
    g = parser.add_argument_group("zhixing 集约查询 load / 负载")
    g.add_argument("--rate", type=float, default=100.0, help="目标到达率（件/秒）/ target arrivals, cases per second")
    g.add_argument("--duration", type=float, default=30.0, help="测量时长（秒）/ measured seconds at --rate")
    g.add_argument("--warmup", type=float, default=5.0, help="预热秒数（不计入判定）/ warm-up seconds, not judged")
    g.add_argument("--steps", default="", help="逐级速率，如 50,100,200（寻找拐点）/ rate steps for a knee search")
    g.add_argument("--step-time", type=float, default=15.0, help="每级秒数 / seconds per step")
    g.add_argument("--rate-file", default="", help="CSV 行 seconds,rate（如模拟的高峰日）/ a rate profile file")
    g.add_argument("--drain", type=float, default=3.0, help="收尾秒数：在途扇出完成 / seconds for fan-outs in flight")
    g.add_argument("--arrivals", choices=("poisson", "uniform"), default="poisson", help="到达过程 / arrival process")
    g.add_argument("--courts", type=int, default=20, help="法院（用户）数 / courts (users) sending 集约查询")
    g.add_argument("--wait", choices=("callback", "poll"), default="callback", help="等待答复方式 / how answers arrive")
    g.add_argument("--poll-interval", type=float, default=0.05, help="轮询间隔（秒）/ seconds between polls")
    g.add_argument("--fanout-timeout", type=float, default=30.0, help="扇出超时（秒）/ fan-out timeout, seconds")
    g.add_argument("--max-inflight", type=int, default=500, help="每法院在途上限 / in flight per court at most")
    g.add_argument("--control-users", type=int, default=2, help="控制类用户数 / users sending control measures")
    g.add_argument("--control-rate", type=float, default=10.0, help="控制措施（次/秒）/ control measures per second")
    g.add_argument("--control-mix", default=DEFAULT_MIX, help="控制措施比例 / control mix, e.g. " + DEFAULT_MIX)
    g.add_argument("--fixtures", default="", help="被执行人文件（非 zhixing 目标）/ debtors file for other servers")
    g.add_argument("--debtors", type=int, default=100_000, help="从种子世界抽取的被执行人范围 / debtors drawn from")
    g.add_argument("--namespace", default="load", help="模拟机构命名空间 / mock namespace (reset at start)")
    g.add_argument("--agency-profile", default="fast", help="该命名空间的行为配置 / the namespace's mock profile")
    g.add_argument("--p95-ms", type=float, default=500.0, help="阈值：扇出 p95（毫秒，0 不检查）/ threshold")
    g.add_argument("--min-rate", type=float, default=None,
                   help="阈值：速率（件/秒，0 不检查；默认为本次最低的测量速率，即 --rate）/ "
                        "threshold rate (default: the run's lowest measured rate, i.e. --rate)")
    g.add_argument("--max-failures", type=float, default=0.01, help="阈值：失败率 / failure-ratio threshold")
    g.add_argument("--judge", choices=("lowest", "every"), default="lowest",
                   help="判定哪些测量阶段：lowest 为速率不低于 --min-rate 的最低一级（默认），every 为其中每一级"
                        "（如重放的高峰日）/ the measured stages judged: lowest, the lowest at or above --min-rate "
                        "(default); every, each of them (e.g. a replayed peak day)")
    g.add_argument("--report-dir", default="", help="判定与拐点表写入的目录 / where verdict files go")
    g.add_argument("--agency", default="",
                   help="直接向这一家机构发查询（不经总对总），如 icbc：测一家银行的查控接口 / "
                        "send every 集约查询 straight to this agency (no hub), e.g. icbc: load one bank's endpoint")


# option → (smallest allowed, whether the smallest itself is allowed); every number must also be finite
_AT_LEAST: dict[str, tuple[float, bool]] = {
    "rate": (0, True), "duration": (0, False), "warmup": (0, True), "step_time": (0, False), "drain": (0, True),
    "courts": (1, True), "poll_interval": (0, False), "fanout_timeout": (0, False), "max_inflight": (1, True),
    "control_users": (0, True), "control_rate": (0, True), "debtors": (1, True), "p95_ms": (0, True),
    "min_rate": (0, True), "max_failures": (0, True),
}


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def _number(dest: str, value: float) -> None:
    low, inclusive = _AT_LEAST[dest]
    if not math.isfinite(value):
        raise OptionError(_flag(dest), f"应为有限数字：{value}", f"must be a finite number: {value}")
    if value < low or (value == low and not inclusive):
        zh, en = ("不得小于", "must be at least") if inclusive else ("应大于", "must be more than")
        raise OptionError(_flag(dest), f"{zh} {low:g}：{value:g}", f"{en} {low:g}: {value:g}")


def _parsed(option: str, parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except ValueError as err:
        zh, _, en = str(err).partition(" / ")
        raise OptionError(option, zh, en or zh) from None


def _file(option: str, read: Any, path: str) -> Any:
    try:
        return read(path)
    except OSError as err:
        raise OptionError(option, f"无法读取 {path}：{err.strerror}", f"cannot read {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise OptionError(option, f"{path} 须为 UTF-8 编码的文本", f"{path} must be UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise OptionError(option, f"{path}:{err.lineno}: JSON 格式错误（{err.msg}）",
                          f"{path}:{err.lineno}: invalid JSON ({err.msg})") from None
    except ValueError as err:  # the readers' own bilingual messages ("path: 中文 / English")
        zh, _, en = str(err).partition(" / ")
        raise OptionError(option, zh, en or zh) from None


def check_options(o: argparse.Namespace | Any) -> Plan:
    """Every load option checked; the plan it gives. Raises :class:`OptionError`."""
    for dest in _AT_LEAST:
        if getattr(o, dest) is not None:  # --min-rate unset: the run's lowest measured rate (threshold_rate)
            _number(dest, getattr(o, dest))
    if o.max_failures > 1:
        raise OptionError("--max-failures", f"失败率阈值应在 0–1 之间：{o.max_failures:g}",
                          f"the failure-ratio threshold must be within 0-1: {o.max_failures:g}")
    steps = _parsed("--steps", parse_rates, o.steps)
    if o.steps.strip() and not any(r > 0 for r in steps):  # ',,' ran the default --rate; '0,0' ran and failed
        raise OptionError("--steps", f"没有大于 0 的速率：{o.steps!r}（应为逗号分隔的速率，如 50,100,200）",
                          f"no rate above 0: {o.steps!r} (comma-separated rates, e.g. 50,100,200)")
    if o.judge == "every" and any(r > 0 for r in steps):  # a knee search steps past the knee on purpose
        raise OptionError("--judge", "--judge every 不与 --steps 同用：寻找拐点的逐级加速有意超过拐点，必然未通过；"
                          "拐点搜索按最低一级判定（--judge lowest），重放高峰日请用 --rate-file",
                          "--judge every does not go with --steps: a knee search steps past the knee on purpose and "
                          "would always fail; a knee search is judged on its lowest stage (--judge lowest), a peak "
                          "day replayed with --rate-file")
    _parsed("--control-mix", parse_mix, o.control_mix)
    if o.rate_file:
        _file("--rate-file", read_rate_file, o.rate_file)
    if o.fixtures:
        _file("--fixtures", load_fixtures, o.fixtures)
    if o.rate == 0 and not o.steps and not o.rate_file:
        raise OptionError("--rate", "应大于 0（速率为 0 的运行没有可判定的到达）",
                          "must be more than 0 (a run at rate 0 has no arrivals to judge)")
    if o.agency and o.agency == "zdz":
        raise OptionError("--agency", "zdz 是总对总系统本身：经总对总扇出时不写 --agency",
                          "zdz is the 总对总 hub itself: leave --agency out for the fan-out through it")
    try:
        return build_plan(rate=o.rate, duration=o.duration, warmup=o.warmup, steps=steps, step_time=o.step_time,
                          rate_file=o.rate_file or None, drain=o.drain)
    except ValueError as err:
        zh, _, en = str(err).partition(" / ")
        raise OptionError("--rate-file" if o.rate_file else "--steps", zh, en or zh) from None


def threshold_rate(o: argparse.Namespace | Any, plan: Plan) -> float:
    """``--min-rate``, or when unset the run's lowest positive measured rate: a run at ``--rate 50`` (or a bank's
    peak at ``--rate 0.3``) is judged at the rate it ran, where a fixed 100 failed it with "no measured stage at
    ≥ 100 cases/s"; ``make load`` (100/s) and ``make load-knee`` (100…700/s) are judged at 100 as before."""
    if o.min_rate is not None:
        return float(o.min_rate)
    return min((s.rate for s in plan.measured() if s.rate > 0), default=0.0)
