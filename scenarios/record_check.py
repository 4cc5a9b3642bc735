"""Record every case of an event log and replay each: how many replay green (issue 16, point 6's measurement).

``python -m scenarios.record_check --events FILE [--events FILE…] [--limit N] [--show-failures]`` prints one line
per case (通过 passed / 失败 failed with its failed step), what each recording says it could not replay, and
``N/M``; exit 1 when any case fails. A 恢复执行 case counts as its own (recorded from its original). A case of the
run's start state (``sim.start_state``: filed before the run, entered at a node or in the 终本 register), or resumed
from one, is refused by the recorder (its earlier history is not in the log): counted apart as 不可录制（起始状态）
/ not recordable (start state), neither passed nor failed. The test ``tests/test_scenarios_record_all.py`` runs the
same check on a small demo log, short simulations (one from a start state) and disposal runs.

``--process FILE``: the logs' court ran its own process file (``zhixing simulate --process FILE``): each case is
recorded with it (``zhixing scenarios record --process FILE``: the scenario's ``process:`` is what the file sets
differently from the bundled process) and replayed as ``zhixing scenarios run`` runs the recording, on the bundled
process with that ``process:``. A profile's own ``process:`` merged over the file is not the file: give the merged
process as one file. ``make record-check PROCESS=FILE`` simulates its court-years with the file (the demo, which
runs the bundled process, is left out) and checks them so; ``tests/test_scenarios_record_check_process.py`` a short
one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core_flow.argparse_text import BilingualParser
from core_flow.errors import UserError
from scenarios.loader import parse_text
from scenarios.process_options import BaseProcess, load_base
from scenarios.record import StartStateCase, read_log, record
from scenarios.runner import run_scenario


@dataclass
class CaseCheck:
    case: str
    passed: bool
    failure: str = ""  # the failed step, expected and actual (first lines of the explanation)
    not_replayed: list[str] = field(default_factory=list)  # what the recording says it left out
    text: str = ""
    start_state: str = ""  # why the recorder refused it: a case of the run's start state (not recordable)


def recorded_cases(events: list[dict[str, Any]]) -> list[str]:
    """Every case filed in the log, in order of filing."""
    return list(dict.fromkeys(e["case_id"] for e in events if e["kind"] == "filed"))


def check_case(events: list[dict[str, Any]], case: str, source: str = "", base: BaseProcess | None = None) -> CaseCheck:
    """``base``: the process file the log's court ran (``--process``; None: the bundled process)."""
    try:
        text = record(events, case, source, base)
    except StartStateCase as refused:
        return CaseCheck(case, False, start_state=refused.message)
    left = [line[4:] for line in text.splitlines() if line.startswith("# - ") and "未写入场景" in line
            or line.startswith("# - 无法回放")]
    parsed, problems = parse_text(text, f"{case}.scenario.yaml")
    if problems:
        return CaseCheck(case, False, "录制的文件无效 / the recorded file is invalid: " + "; ".join(map(str, problems)),
                         left, text)
    result = run_scenario(parsed[0])
    failure = "" if result.passed else "\n".join(result.explain().splitlines()[1:4])
    return CaseCheck(case, result.passed, failure, left, text)


def check_log(path: str | Path, limit: int | None = None, base: BaseProcess | None = None) -> list[CaseCheck]:
    events = read_log(path)
    cases = recorded_cases(events)[:limit]
    return [check_case(events, case, str(path), base) for case in cases]


def main(argv: list[str] | None = None) -> int:
    parser = BilingualParser(prog="python -m scenarios.record_check",
                                     description="录制事件日志中每件案件并回放 / record every case of a log, replay it")
    parser.add_argument("--events", action="append", required=True, type=Path, help="事件日志 / event log (JSONL, CSV)")
    parser.add_argument("--limit", type=int, default=None, help="每个日志最多几件 / at most N cases per log")
    parser.add_argument("--show-failures", action="store_true", help="列出失败步骤 / print each failed step")
    parser.add_argument("--keep", type=Path, default=None, help="失败案件的场景写入此目录 / keep failures here")
    parser.add_argument("--process", type=Path, default=None, metavar="FILE",
                        help="日志中的法院所用的流程文件（zhixing simulate --process）：以之录制（场景的 process: 写出"
                             "其与内置流程的不同之处）/ the process file the logs' court ran (zhixing simulate "
                             "--process): each case recorded with it (the scenario's process: says what it sets "
                             "differently from the bundled process)")
    args = parser.parse_args(argv)
    base = None
    if args.process is not None:
        try:  # the whole file checked (file:line) before any log is read
            base = load_base(args.process)
        except UserError as err:
            print(f"错误 error: {err}", file=sys.stderr)
            return 2
        print(f"流程文件 process file: {base.source}：各案件以之录制，回放时以场景的 process: 并入内置流程 / each "
              "case is recorded with it and replayed on the bundled process with the scenario's process:\n")
    total = green = start_state = 0
    for path in args.events:
        try:
            checks = check_log(path, args.limit, base)
        except UserError as err:
            print(f"错误 error: {err}", file=sys.stderr)
            return 2
        ok = sum(c.passed for c in checks)
        apart = sum(bool(c.start_state) for c in checks)
        for c in checks:
            if c.start_state:
                print(f"○ 不可录制（起始状态）not recordable (start state)  {c.case}")
                if args.show_failures:
                    print(f"    {c.start_state}")
                continue
            print(f"{'✔ 通过 passed' if c.passed else '✘ 失败 failed'}  {c.case}")
            if not c.passed and args.show_failures:
                print("    " + c.failure.replace("\n", "\n    "))
            for line in c.not_replayed:
                print(f"    · {line}")
            if not c.passed and args.keep is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"{c.case}.scenario.yaml").write_text(c.text, encoding="utf-8")
        print(f"{path}: {ok}/{len(checks) - apart} 回放通过 / replayed green"
              + (f"；另 {apart} 件来自起始状态，不可录制 / {apart} more from the start state, not recordable"
                 if apart else "") + "\n")
        total += len(checks) - apart
        green += ok
        start_state += apart
    print(f"共 {total} 件，{green} 件回放通过 / {green} of {total} cases replayed green"
          + (f"；另 {start_state} 件来自起始状态，不可录制（未计入）/ {start_state} more from the start state, not "
             "recordable (not counted)" if start_state else ""))
    return 0 if green == total else 1


if __name__ == "__main__":
    sys.exit(main())
