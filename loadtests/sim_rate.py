"""From a simulation's per-agency load to a load-test rate: read ``agencies.csv`` of ``zhixing simulate --out DIR``
and print one agency's peak hour as a rate (requests per second) and the load-test command at that rate.

    python loadtests/sim_rate.py DIR --agency icbc [--courts N] [--headroom 2]
    python loadtests/sim_rate.py DIR --agency icbc --rate-file-out day.csv [--compress 60] [--day peak-hour]

- The row read is the province total (``全省合计 / province total``) when the run had several courts, else the one
  court's; over several replications the highest peak hour is taken (the conservative one).
- ``--courts N`` scales to N courts of the simulated kind (linearly: the simulated courts' peak × N / simulated
  courts; the peak of a sum is at most the sum of the peaks, so this reads high, never low).
- ``--headroom H`` multiplies the rate (a margin for growth or a busier year).
- ``--agency zdz`` (the 总对总 system's row: the 集约查询 the courts send it) gives the rate of the fan-out through
  the hub, which is the load test's default mode (``--rate`` in cases per second, no ``--agency``).

The peak hour is a count of requests within one clock hour; the load test sends them as Poisson arrivals at the
hour's mean rate. A peak at 00:00 is the 终本 sweeps' batch sent at midnight on their due day: those requests come
together, not spread over the hour — test that as a burst (a ``--rate-file`` with a short stage).

``--rate-file-out FILE`` also writes the agency's simulated peak day (``agency_peak_days.csv``: the day with the most
requests, or with ``--day peak-hour`` the day holding the peak hour; the highest replication's) as a ``seconds,rate``
file that ``run.py -- --rate-file FILE`` replays as it is: each clock hour a stage of 3600 / ``--compress`` seconds at
the hour's requests × scale × ``--compress`` / 3600 per second, so each stage sends the hour's requests (scaled as
above). The command printed judges the peak hour's stage (``--min-rate`` at its rate: the verdict judges the lowest
stage at or above ``--min-rate``); ``--judge every`` instead judges every hour that sends requests.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from core_flow.argparse_text import BilingualParser  # noqa: E402

PROVINCE = "全省合计 / province total"
HUB = "zdz"
DAYS = "agency_peak_days.csv"  # zhixing simulate: each agency's peak day and the day of its peak hour, by hour


def error(zh: str, en: str) -> int:
    print(f"错误 / error: {zh} / {en}", file=sys.stderr)
    return 2


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def main(argv: list[str] | None = None) -> int:
    parser = BilingualParser(description="由仿真的机构负荷得出压测速率 / "
                                         "a load-test rate from a simulation's agency load")
    parser.add_argument("out", help="zhixing simulate --out 的目录（含 agencies.csv）/ the simulation's --out folder")
    parser.add_argument("--agency", required=True, help="机构代码，如 icbc；zdz 为经总对总的扇出 / agency code")
    parser.add_argument("--courts", type=int, default=0, help="按此法院数线性换算 / scale to this many courts")
    parser.add_argument("--headroom", type=float, default=1.0, help="余量倍数 / headroom factor")
    parser.add_argument("--rate-file-out", default="",
                        help="另写出该机构的模拟高峰日，供 --rate-file 重放 / also write the agency's simulated peak "
                             "day as a --rate-file (seconds,rate)")
    parser.add_argument("--compress", type=float, default=60.0,
                        help="重放的时间压缩倍数：每个钟点 3600/N 秒（默认 60：一小时 → 60 秒）/ time compression of "
                             "the replay: each clock hour in 3600/N s (default 60: an hour in 60 s)")
    parser.add_argument("--day", choices=("peak-day", "peak-hour"), default="peak-day",
                        help="重放哪一天：请求最多的一天，或峰值小时所在的一天 / the day replayed: the one with the "
                             "most requests, or the one holding the peak hour")
    args = parser.parse_args(argv)
    if not (math.isfinite(args.compress) and 1 <= args.compress <= 3600):
        return error(f"--compress: 应在 1–3600 之间（每个钟点至少 1 秒）：{args.compress:g}",
                     f"--compress: must be within 1-3600 (an hour at least 1 s): {args.compress:g}")
    if args.courts < 0:
        return error(f"--courts: 不得小于 0：{args.courts}", f"--courts: must be at least 0: {args.courts}")
    if not args.headroom > 0:
        return error(f"--headroom: 应大于 0：{args.headroom:g}", f"--headroom: must be more than 0: {args.headroom:g}")
    folder = Path(args.out)
    path = folder / "agencies.csv" if folder.is_dir() else folder
    try:
        rows = read_rows(path)
    except OSError as err:
        return error(f"无法读取 {path}（{err.strerror}）：请给出 zhixing simulate --out 的目录",
                     f"cannot read {path} ({err.strerror}): give the folder of zhixing simulate --out")
    need = {"court", "agency", "agency_name", "peak_hour", "peak_hour_of_day"}
    if not rows or not need <= rows[0].keys():
        return error(f"{path} 不是 zhixing simulate 写出的 agencies.csv（需要列 {', '.join(sorted(need))}）",
                     f"{path} is not the agencies.csv zhixing simulate writes (needs {', '.join(sorted(need))})")
    courts = sorted({r["court"] for r in rows if r["court"] != PROVINCE})
    scope = [r for r in rows if r["court"] == PROVINCE] or rows
    mine = [r for r in scope if r["agency"] == args.agency]
    if not mine:
        known = sorted({r["agency"] for r in scope})
        return error(f"{path} 中没有机构 {args.agency!r}（本次仿真有：{', '.join(known[:12])}…）",
                     f"no agency {args.agency!r} in {path} (this run has: {', '.join(known[:12])}…)")
    peak = max(mine, key=lambda r: float(r["peak_hour"]))
    per_hour = float(peak["peak_hour"])
    if per_hour <= 0:
        return error(f"{args.agency} 在这次仿真中没有收到请求：没有可换算的速率",
                     f"{args.agency} received no request in this simulation: no rate to derive")
    scale = args.courts / len(courts) if args.courts else 1.0
    rate = per_hour * scale * args.headroom / 3600
    who = PROVINCE if scope is not rows else peak["court"]
    print(f"{peak['agency_name']} {args.agency}（{who}，{len(courts)} 个法院 / courts，{len(mine)} 次重复取最高 / "
          f"highest of {len(mine)} replication(s)）：峰值小时 / peak hour {per_hour:g} 件 requests "
          f"（{int(peak['peak_hour_of_day']):02d}:00 起 / from）")
    if args.courts:
        print(f"按 {args.courts} 个法院线性换算 / scaled to {args.courts} courts: × {scale:.4g}"
              "（偏高，不会偏低 / reads high, never low）")
    if args.headroom != 1:
        print(f"余量 / headroom: × {args.headroom:g}")
    print(f"压测速率 / load-test rate: {per_hour:g} × {scale * args.headroom:.4g} / 3600 = {rate:.4g} 件/秒 per second")
    if int(peak["peak_hour_of_day"]) == 0:
        burst = per_hour * scale * args.headroom / 60
        print("⚠ 峰值在 00:00：这是终本统查在到期日 0 时成批发出的请求，同时到达而不是分布在一小时内；"
              "请另用 --rate-file 以短时高速率测这一批 / the peak is at 00:00: the 终本 sweeps' batch sent at "
              "midnight arrives at once, not over the hour; test it as a burst with --rate-file")
        # a rate file's verdict is judged at its lowest stage unless --min-rate names the burst's rate: a burst
        # that failed outright passed (review R2)
        print(f"  如一小时的量在一分钟内到达：文件 burst.csv 一行 60,{burst:.4g}，加 --rate-file burst.csv --min-rate "
              f"{burst:.4g}（判定取不低于 --min-rate 的最低一级；缺省为最低一级：文件另有较低的各级时即不判这一批）"
              f"/ e.g. the hour's requests within a minute: a file burst.csv with the row 60,{burst:.4g}, and "
              f"--rate-file burst.csv --min-rate {burst:.4g} (the verdict judges the lowest stage at or above "
              "--min-rate; by default the lowest stage: with lower stages in the file, the burst goes unjudged)")
    duration = max(30, min(3600, round(200 / rate))) if rate > 0 else 30  # enough arrivals for a p95, ≤ an hour
    target = "" if args.agency == HUB else f" --agency {args.agency}"
    print(f"命令 / commands（{duration} 秒约 {rate * duration:.0f} 次到达 / about {rate * duration:.0f} arrivals in "
          f"{duration} s）:")
    options = f"--{target} --rate {rate:.4g} --duration {duration} --control-rate 0"
    print(f"  python loadtests/run.py {options}   # zhixing 的模拟机构 / zhixing's mock")
    print(f"  python loadtests/run.py --host http://127.0.0.1:端口PORT {options} --fixtures fixtures.json"
          "   # 贵方的服务 / your server")
    if args.agency != HUB:
        print("（机构一行计该机构收到的全部请求：查询、冻结、续冻、扣划、解冻及终本统查；命令把它们都作为查询发出，"
              "--control-rate 0 / the agency's row counts every request it receives — inquiries, freezes, renewals, "
              "deductions, releases, 终本 sweeps; the command sends them all as inquiries, --control-rate 0）")
    else:
        print("（总对总一行是法院发给总对总的请求（集约查询与终本统查），即扇出数；冻结等控制措施直接发给各机构，"
              "不在此数内，--control-rate 0 / the hub's row is what the courts send it (集约查询 and 终本 sweeps), the "
              "fan-outs; control measures go straight to the agencies and are not in it, --control-rate 0）")
    if args.rate_file_out:
        return replay(args, path.parent, scale * args.headroom, PROVINCE if scope is not rows else None)
    return 0


def replay(args: argparse.Namespace, folder: Path, scale: float, province: str | None) -> int:
    """The agency's simulated peak day as a ``seconds,rate`` file (``--rate-file``), compressed ``--compress`` times,
    and the command replaying it; the verdict's rate (``--min-rate``) is the peak hour's stage."""
    path = folder / DAYS
    try:
        rows = read_rows(path)
    except OSError as err:
        return error(f"无法读取 {path}（{err.strerror}）：它由 zhixing simulate 写出（2026-12-07 起），"
                     "请用当前版本重新运行仿真",
                     f"cannot read {path} ({err.strerror}): zhixing simulate writes it (from 2026-12-07); run the "
                     "simulation again with this version")
    kind = "peak_day" if args.day == "peak-day" else "peak_hour_day"
    days: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        if r.get("agency") == args.agency and r.get("kind") == kind and (province is None or r["court"] == province):
            days.setdefault(r["replication"], []).append(r)
    if not days or any(len(day) != 24 for day in days.values()):
        return error(f"{path} 中没有机构 {args.agency} 完整的 24 个钟点（{kind}）",
                     f"{path} has no 24 hours of agency {args.agency} ({kind})")

    def counts(day: list[dict[str, str]]) -> list[float]:
        return [float(r["requests"]) for r in sorted(day, key=lambda r: int(r["hour"]))]

    # the highest replication (as the peak hour above): the most requests that day, or the highest hour
    measure = sum if kind == "peak_day" else max
    rep, day = max(days.items(), key=lambda kv: (measure(counts(kv[1])), -int(kv[0])))
    hours = counts(day)
    seconds = 3600 / args.compress
    rates = [n * scale * args.compress / 3600 for n in hours]
    when, name = day[0]["date"], day[0]["agency_name"]
    who = province or day[0]["court"]
    out = Path(args.rate_file_out)
    which = ("请求最多的一天 / the day with the most requests" if kind == "peak_day" else
             "峰值小时所在的一天 / the day of the peak hour")
    lines = [f"# 模拟高峰日重放 / a simulated peak day replayed: {args.agency} {name} {when}（{who}；"
             f"重复 / replication {rep}；{which}）",
             f"# 时间压缩 / compressed {args.compress:g}×: 每个钟点 / each clock hour → {seconds:g} s；速率 / rate = "
             f"该钟点请求数 / the hour's requests × {scale:.4g} × {args.compress:g} / 3600",
             "seconds,rate"]
    for hour, (n, rate) in enumerate(zip(hours, rates, strict=True)):
        lines.append(f"# {hour:02d}:00 {n:g} 件 requests")
        lines.append(f"{seconds:.6g},{rate:.6g}")
    try:
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as err:
        return error(f"无法写入 {out}（{err.strerror}）", f"cannot write {out} ({err.strerror})")
    peak = max(rates)
    top = rates.index(peak)
    total = sum(hours) * scale
    print(f"重放文件 / replay file: {out}（{args.agency} {when}，{sum(hours):g} 件 requests"
          + (f" × {scale:.4g} = {total:.0f}" if scale != 1 else "")
          + f"；24 级各 {seconds:g} 秒，共 {24 * seconds / 60:g} 分钟 / 24 stages of {seconds:g} s, "
          f"{24 * seconds / 60:g} min）")
    if peak <= 0:
        return error(f"{args.agency} 在 {when} 没有请求：没有可重放的负载", f"{args.agency} had no request on {when}: "
                     "nothing to replay")
    target = "" if args.agency == HUB else f" --agency {args.agency}"
    options = f"--{target} --rate-file {out} --min-rate {peak:.6g} --control-rate 0"
    print(f"  python loadtests/run.py {options}   # zhixing 的模拟机构 / zhixing's mock")
    print(f"  python loadtests/run.py --host http://127.0.0.1:端口PORT {options} --fixtures fixtures.json"
          "   # 贵方的服务 / your server")
    print(f"判定 / verdict: --min-rate {peak:.6g} 为峰值钟点 {top:02d}:00 这一级的速率（{hours[top] * scale:.0f} "
          "次到达）：判定取不低于 --min-rate 的最低一级，即这一级；其余各级照常施加负载、列在表中而不判定 / "
          f"--min-rate is the peak hour's stage rate ({top:02d}:00, {hours[top] * scale:.0f} arrivals): the verdict "
          "judges the lowest stage at or above --min-rate, this one; the other stages load the server and are "
          "tabled, not judged")
    print("  或加 --judge every（去掉 --min-rate）判定每一个有请求的钟点 / or add --judge every (without "
          "--min-rate) to judge every hour that sends requests")
    if hours[0] > 0:
        print(f"⚠ 00:00 一级的 {hours[0]:g} 件多为终本统查在 0 时成批发出的请求，重放中分布在该级的 {seconds:g} 秒内；"
              f"要测同时到达的一批，另用 burst 文件（见上）/ the 00:00 stage's {hours[0]:g} requests are mostly the "
              f"终本 sweeps' batch sent at midnight at once; the replay spreads them over the stage's {seconds:g} s — "
              "test the batch as a burst apart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
