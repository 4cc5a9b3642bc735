"""`make load`, `make load-knee`, `make load-ui`: start zhixing's mock server (fast profile, sharded over
``--server-processes`` processes on loopback), run the locustfile against it, stop the server.

    python loadtests/run.py [--knee] [--ui] [--server-processes 2] [--locust-processes 1]
                            [--report-dir DIR] [--port P] [--host URL] [-- any locust / locustfile option…]

Headless runs write locust's CSV (``locust_stats.csv``, ``_failures``, ``_exceptions``, ``_stats_history``)
and HTML report (``locust.html``) and the verdict (``verdict.html``, Chinese first; ``verdict.txt``,
``verdict.json``, the knee table) to the report folder (default ``reports/load/<UTC time>``), print the verdict
and exit with locust's code: 0 when every threshold held, 1 when one failed, 2 for a mistake found before the run.
``--ui`` serves locust's web UI at http://127.0.0.1:8089 instead.
Against another server (a vendor's hub or a bank's connector on loopback): ``--host URL`` (before or after ``--``)
starts no mock and loads that server, with the same reports and verdict (see README.md).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOOPBACK = "127.0.0.1"
KNEE = ["--steps", "100,200,300,400,500,600,700", "--step-time", "15", "--warmup", "5"]

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))
from loadoptions import OptionError, add_options, check_options  # noqa: E402
from loadplan import require_loopback  # noqa: E402

from core_flow.argparse_text import BilingualParser  # noqa: E402
from mock_agencies.shards import shard_commands  # noqa: E402


def free_ports(count: int, first: int = 0) -> list[int]:
    """``count`` consecutive free loopback ports (from ``first`` when given)."""
    for _ in range(50):
        if first:
            base = first
        else:
            with socket.socket() as s:
                s.bind((LOOPBACK, 0))
                base = s.getsockname()[1]
        if base + count - 1 > 65535:
            if first:
                raise OptionError("--port", f"{first} 起的 {count} 个端口超过 65535", f"{count} ports from {first} "
                                  "go past 65535")
            continue
        try:
            socks = []
            for p in range(base, base + count):
                s = socket.socket()
                socks.append(s)
                s.bind((LOOPBACK, p))
            return list(range(base, base + count))
        except OSError:
            if first:  # the user's --port: a mistake found before the run (exit 2, the option named), not a failed run
                raise OptionError("--port", f"端口 {first}–{base + count - 1} 中有已被占用的"
                                  f"（{count} 个分片进程各用一个）：请换一个端口或写 0 自动选择",
                                  f"a port in {first}-{base + count - 1} is in use ({count} shard process(es), one "
                                  "port each): choose another or 0 for a free one") from None
        finally:
            for s in socks:
                s.close()
    raise ServerFailed(f"没有 {count} 个连续空闲端口 / no {count} consecutive free ports")


def locust_settings_read(cwd: Path, home: Path, environ: dict[str, str]) -> list[str]:
    """Where locust takes settings from besides this command line (its DEFAULT_CONFIG_FILES and ``LOCUST_*``
    variables): said before the run, so a forgotten ``~/.locust.conf`` never changes a load test silently. The
    command line's own options win over all of them."""
    found = [str(f) for f in (home / ".locust.conf", cwd / "locust.conf") if f.is_file()]
    project = cwd / "pyproject.toml"
    if project.is_file():
        import tomllib

        try:
            if "locust" in tomllib.loads(project.read_text(encoding="utf-8")).get("tool", {}):
                found.append(f"{project} [tool.locust]")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            pass  # locust itself says what it cannot read
    found += sorted(f"${name}" for name in environ if name.startswith("LOCUST_"))
    return found


ENVIRONMENT_FAILED = 3  # the mock could not be started: neither a failed verdict (1) nor a user's mistake (2)


class ServerFailed(Exception):
    """The mock agencies could not be started here (no free ports, a shard exited, not ready in time)."""


def start_server(processes: int, port: int, seed: int) -> tuple[str, list[subprocess.Popen]]:
    ports = free_ports(processes, port)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "ZHIXING_AGENCIES_PROFILE": "fast", "ZHIXING_AGENCIES_SEED": str(seed)}
    procs = [subprocess.Popen(cmd, cwd=ROOT, env={**env, **extra}) for cmd, extra in shard_commands(LOOPBACK, ports)]
    url = f"http://{LOOPBACK}:{ports[0]}"
    for p in ports:  # bounded: ≤ 30 s each
        for _ in range(300):
            try:
                if requests.get(f"http://{LOOPBACK}:{p}/shards", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if any(proc.poll() is not None for proc in procs):
                stop(procs)
                raise ServerFailed("模拟机构进程启动后退出（见上方其输出）/ a mock agencies process exited after it "
                                   "started (its output is above)")
            try:
                procs[0].wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                pass
        else:
            stop(procs)
            raise ServerFailed(f"模拟机构 30 秒内未就绪（端口 {p}）/ mock agencies not ready within 30 s on port {p}")
    return url, procs


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def usage_error(message: str) -> int:
    print(f"错误 / error: {message}", file=sys.stderr)
    return 2


def check_own(args: argparse.Namespace) -> None:
    """run.py's own options (ranges argparse does not check)."""
    bounds = {"server_processes": (1, 64), "locust_processes": (1, 256), "port": (0, 65535), "web_port": (1, 65535),
              "seed": (0, 2**63 - 1)}
    for dest, (low, high) in bounds.items():
        value = getattr(args, dest)
        if not low <= value <= high:
            option = "--" + dest.replace("_", "-")
            raise OptionError(option, f"应在 {low}–{high} 之间：{value}", f"must be within {low}-{high}: {value}")
    if args.host:
        try:
            args.host = require_loopback(args.host)
        except ValueError as err:
            zh, _, en = str(err).partition(" / ")
            raise OptionError("--host", zh, en) from None


def locust_options() -> set[str] | None:
    """The option strings locust's own parser knows, read in a subprocess (importing locust here would monkey-patch
    this process with gevent); None when they cannot be read, and then locust judges its options itself."""
    code = ("from locust.argument_parser import get_parser\n"
            "print('\\n'.join(s for a in get_parser()._actions for s in a.option_strings))")
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return set(out.stdout.split()) or None


def check_extra(extra: list[str]) -> None:
    """The options after ``--`` (locust's and the locustfile's), checked before the server starts."""
    pre = BilingualParser(prog="run.py --", add_help=False, show_usage=False, allow_abbrev=False)
    add_options(pre)
    ours, rest = pre.parse_known_args(extra)
    check_options(ours)
    known = locust_options()
    if known is None:
        return
    ours_known = {s for a in pre._actions for s in a.option_strings}
    for token in rest:
        name = token.split("=", 1)[0]
        if not name.startswith("-") or name == "-" or _NUMBER.match(name) or name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known | ours_known), n=3)
        hint = f"（可能是 / did you mean: {', '.join(close)}）" if close else ""
        raise OptionError(name, "locust 与本 locustfile 都没有此选项",
                          "no such option of locust or the locustfile" + hint)


def take_host(extra: list[str]) -> tuple[list[str], str]:
    """``--host URL`` / ``--host=URL`` / ``-H URL`` after ``--`` taken out: run.py passes the target itself."""
    rest, host, i = [], "", 0
    while i < len(extra):
        token = extra[i]
        if token in ("--host", "-H") and i + 1 < len(extra):
            host, i = extra[i + 1], i + 2
            continue
        if token.startswith("--host="):
            host = token.split("=", 1)[1]
        else:
            rest.append(token)
        i += 1
    return rest, host


_NUMBER = re.compile(r"^-\d+(\.\d*)?$")  # a negative number is a value, not an option


def main(argv: list[str] | None = None) -> int:
    parser = BilingualParser(
        description="集约查询负载测试 / 集约查询 fan-out load test (see loadtests/README.md)")
    parser.add_argument("--knee", action="store_true", help="逐级加速找拐点 / step the rate up to find the knee")
    parser.add_argument("--ui", action="store_true", help="打开 locust 网页界面 / serve locust's web UI instead")
    parser.add_argument("--server-processes", type=int, default=2, help="模拟机构分片进程数 / server processes")
    parser.add_argument("--locust-processes", type=int, default=1, help="locust 进程数（>1 为分布式）/ generators")
    parser.add_argument("--port", type=int, default=0, help="服务端首个端口（0 自动）/ first server port (0: free)")
    parser.add_argument("--web-port", type=int, default=8089, help="网页界面端口 / web UI port")
    parser.add_argument("--seed", type=int, default=0, help="世界种子 / world seed")
    parser.add_argument("--report-dir", default="", help="报告目录 / report folder (default reports/load/<time>)")
    parser.add_argument("--host", default="",
                        help="压测其他服务（本机地址），不启动模拟机构 / "
                             "load another server (loopback): no mock started")
    args, extra = parser.parse_known_args(argv)
    if extra and extra[0] == "--":
        extra = extra[1:]
    extra, host = take_host(extra)  # `-- --host …` used to start the mock anyway and load the other server
    args.host = host or args.host
    if importlib.util.find_spec("locust") is None:  # find_spec, never import (locust monkey-patches with gevent)
        return usage_error("未安装 locust（在 dev 依赖中）：make venv，或 pip install -e '.[dev]' / locust is not "
                           "installed (it is in the dev extras): make venv, or pip install -e '.[dev]'")
    if any(token in ("-h", "--help") for token in extra):  # the locustfile's options (locust's --help omits them)
        own = BilingualParser(prog="run.py -- [locustfile / locust options]", add_help=False)
        add_options(own)
        own.print_help()
        print("\nlocust 自己的选项（如 --processes、--csv）/ locust's own options: locust --help")
        return 0
    try:  # every mistake found before the server starts
        check_own(args)
        check_extra(extra)
    except ValueError as err:
        return usage_error(str(err))
    if args.host:
        url, procs = args.host, []
    else:
        try:
            url, procs = start_server(args.server_processes, args.port, args.seed)
        except OptionError as err:
            return usage_error(str(err))
        except ServerFailed as err:  # exit 1 said "the load failed" for a run that never began
            print(f"错误 / error: {err}；未进行压测 / no load was run (exit {ENVIRONMENT_FAILED})", file=sys.stderr)
            return ENVIRONMENT_FAILED
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    report = Path(args.report_dir or ROOT / "reports" / "load" / (stamp + ("-knee" if args.knee else "")))
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", url]
    if args.locust_processes > 1:
        cmd += ["--processes", str(args.locust_processes)]
    cmd += KNEE if args.knee else []
    if args.ui:
        cmd += ["--web-host", LOOPBACK, "--web-port", str(args.web_port)]
        print(f"locust 网页界面 / web UI: http://{LOOPBACK}:{args.web_port}  "
              f"(目标 / target {url}; Ctrl-C 结束 / to stop)")
    else:
        report.mkdir(parents=True, exist_ok=True)
        cmd += ["--headless", "--only-summary", "--csv", str(report / "locust"), "--csv-full-history",
                "--html", str(report / "locust.html"), "--report-dir", str(report)]
    cmd += extra
    if args.host:
        print(f"目标 / target: {url}（不启动模拟机构 / no mock started）", flush=True)
    else:
        print(f"模拟机构 / mock agencies: {url} ({args.server_processes} 个分片进程 / shard processes, fast)",
              flush=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    also = locust_settings_read(Path.cwd(), Path.home(), dict(os.environ))
    if also:
        print(f"⚠ locust 还读取以下设置（本命令行的选项优先）/ locust also reads these settings (this command line's "
              f"options win): {', '.join(also)}", flush=True)
    try:
        # in the user's folder: the files named after `--` (--rate-file, --fixtures, --csv) were checked here, relative
        # to it, and then read (or written) by locust relative to the repository (a replay file beside the simulation
        # output, run from there, passed the check and failed in locust)
        code = subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        code = 130
    finally:
        stop(procs)
    if not args.ui:
        written = [name for name in ("verdict.html", "verdict.txt", "locust.html", "locust_stats.csv")
                   if (report / name).exists()]
        if code == 2:  # the locustfile refused an option or the target before the run: its empty CSV is no report
            written = []
        if written:
            print(f"报告 / reports: {report}/ ({', '.join(written)})")
        else:
            print(f"没有写出报告（locust 未能运行，见上）/ no report written (locust did not run; see above): "
                  f"{report}/")
    return code


if __name__ == "__main__":
    sys.exit(main())
