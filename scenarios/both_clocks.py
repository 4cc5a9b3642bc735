"""Both clocks, side by side: ``python -m scenarios.both_clocks [PATHS…] --scale X --max-hours H``.

Every scenario found is run on the virtual clock; those whose steps span at most ``H`` virtual hours (from the
filing to the last step's instant — at ``X``× that is ``H·3600/X`` real seconds) are run again on the real-time
clock (``--realtime --scale X``) and their verdicts compared step by step (pass/fail/skip of each step, the
failing step, an unexpected error). Prints one line per compared scenario and the tally
``N/M agree``; exits 0 when all agree, 1 otherwise. Longer scenarios are listed as not compared.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core_flow.argparse_text import BilingualParser
from core_flow.errors import UserError
from scenarios.loader import load_paths
from scenarios.runner import ScenarioResult, run_scenario
from scenarios.target import system_under_test

SUITE = Path(__file__).resolve().parent / "suite"


def verdict(result: ScenarioResult) -> tuple:
    """What must be the same on both clocks: the overall verdict, each step's status, an unexpected error."""
    return result.passed, [(s.index, s.key, s.status) for s in result.steps], bool(result.error)


def span_hours(result: ScenarioResult) -> float:
    """Virtual hours from the filing to the last step's instant."""
    filed = result.scenario.case.filed
    last = max((s.at for s in result.steps), default=filed)
    return (last - filed).total_seconds() / 3600.0


def where(sc: Any) -> str:
    try:
        name = Path(sc.file).resolve().relative_to(SUITE).as_posix()
    except ValueError:
        name = str(sc.file)
    return f"{name}:{sc.line}"


def compare(scenarios: Iterable[Any], *, scale: float, max_hours: float,
            out: Any = None) -> tuple[int, int, list[str]]:
    """(agreeing, compared, differing scenarios' locations), said to ``out`` (default: ``sys.stdout`` at the call —
    not the one of the moment the module was imported, which pytest's capture may since have closed)."""
    out = sys.stdout if out is None else out
    realtime = system_under_test(realtime=True, scale=scale)
    agree = compared = 0
    differ: list[str] = []
    for sc in scenarios:
        virtual = run_scenario(sc)
        hours = span_hours(virtual)
        if hours > max_hours:
            print(f"  –  {where(sc)}  跨 span {hours:.1f} h > {max_hours:g} h：未比较 / not compared", file=out)
            continue
        started = time.perf_counter()
        real = run_scenario(sc, realtime)
        compared += 1
        same = verdict(real) == verdict(virtual)
        agree += same
        mark = "✔" if same else "✘"
        print(f"  {mark}  {where(sc)}  跨 span {hours:.1f} h, 实时 real {time.perf_counter() - started:.1f} s"
              + ("" if same else f"\n{real.explain()}"), file=out, flush=True)
        if not same:
            differ.append(where(sc))
    return agree, compared, differ


def main(argv: list[str] | None = None) -> int:
    parser = BilingualParser(prog="python -m scenarios.both_clocks",
                                     description="虚拟时钟与实时时钟的场景判定对比 / scenario verdicts on both clocks")
    parser.add_argument("paths", nargs="*", default=[str(SUITE)])
    parser.add_argument("--scale", type=float, default=5_000.0, help="实时压缩倍数 / virtual seconds per real second")
    parser.add_argument("--max-hours", type=float, default=16.0,
                        help="只比较跨度不超过此虚拟小时数的场景 / compare scenarios spanning at most this many "
                             "virtual hours")
    args = parser.parse_args(argv)
    try:
        agree, compared, differ = compare(load_paths(args.paths), scale=args.scale, max_hours=args.max_hours)
    except UserError as err:  # a missing path, a bad scenario file, a bad --scale: located, no traceback
        print(f"错误 / error: {err.message}", file=sys.stderr)
        return 2
    print(f"{agree}/{compared} 一致 agree（--scale {args.scale:g}, ≤ {args.max_hours:g} h）"
          + (f"；不一致 differ: {', '.join(differ)}" if differ else ""))
    return 0 if agree == compared else 1


if __name__ == "__main__":
    raise SystemExit(main())
