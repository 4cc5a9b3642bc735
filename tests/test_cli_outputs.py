"""Output paths the user names are checked before anything runs: a located, bilingual error, no traceback, nothing
run first; and a path that fails while running is reported the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.profile import DATA
from zhixing import cli

SUITE = "scenarios/suite/spc/scope.scenario.yaml"


@pytest.mark.parametrize(("args", "option"), [
    (["simulate", "--intake", "0", "--out", "{file}/sub"], "--out"),
    (["simulate", "--intake", "0", "--out", "{file}"], "--out"),
    (["plan", "staffing", str(DATA / "small_court.yaml"), "--out", "{dir}"], "--out"),
    (["plan", "staffing", str(DATA / "small_court.yaml"), "--out", "{file}/curve.html"], "--out"),
    (["scenarios", "run", SUITE, "--junit", "{file}/x.xml"], "--junit"),
    (["scenarios", "run", SUITE, "--html", "{dir}"], "--html"),
    (["certify", "agency", "--base-url", "http://127.0.0.1:9", "--fixtures", "absent.yaml", "--out", "{file}/e"],
     "--out"),
    (["profile", "export", "--out", "{file}/p"], "--out"),
])
def test_an_output_path_that_cannot_be_written_is_said_before_anything_runs(tmp_path, capsys, args, option):
    a_file = tmp_path / "a-file"
    a_file.write_text("kept\n", encoding="utf-8")
    code = cli.main([a.replace("{file}", str(a_file)).replace("{dir}", str(tmp_path)) for a in args])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith(f"错误 / error: {option}:") and " / " in err and "Traceback" not in err
    assert "仿真 " not in out and "│" not in out and "通过" not in out  # nothing ran
    assert a_file.read_text(encoding="utf-8") == "kept\n"  # nothing already there was changed


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc here / 本机没有 /proc")
@pytest.mark.parametrize(("args", "option"), [
    (["scenarios", "run", SUITE, "--html", "/proc/zhixing-r.html"], "--html"),
    (["scenarios", "run", SUITE, "--junit", "/proc/zhixing-r.xml"], "--junit"),
    (["certify", "agency", "--base-url", "http://127.0.0.1:9", "--fixtures", "absent.yaml", "--out", "/proc/zx/e"],
     "--out"),
])
def test_a_place_no_file_can_be_made_is_said_first_even_to_root(capsys, args, option):
    """Review R5: ``os.access`` says yes to root everywhere, /proc included; the run went ahead and failed at its end
    with its reports unwritten. Now a file is tried there first."""
    code = cli.main(args)
    out, err = capsys.readouterr()
    assert code == 2 and err.startswith(f"错误 / error: {option}:") and "Traceback" not in err
    assert "通过" not in out  # nothing ran


def test_a_missing_output_directory_is_made(tmp_path, capsys):
    out = tmp_path / "new" / "deeper"
    assert cli.main(["simulate", "--intake", "0", "--years", "0.01", "-r", "1", "--backend", "serial",
                     "--no-validate", "--out", str(out)]) == 0
    assert (out / "report.html").is_file() and (out / "kpis.json").is_file()


def test_a_path_failing_while_running_is_a_bilingual_error(tmp_path, capsys, monkeypatch):
    from sim import report

    def full(*_a, **_k):
        raise OSError(28, "No space left on device", str(tmp_path / "report.html"))

    monkeypatch.setattr(report, "render_html", full)
    code = cli.main(["simulate", "--intake", "0", "--years", "0.01", "-r", "1", "--backend", "serial",
                     "--no-validate", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "report.html" in err and "无法读写（磁盘已满）" in err and "(disk full)" in err
    assert "Traceback" not in err


def test_a_server_refuses_a_port_in_use_before_it_starts(capsys):
    """uvicorn said `ERROR: [Errno 98] … address already in use` (English, exit 3) after building the app."""
    import socket

    from zhixing.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        for argv in (["court", "serve", "--port", str(port)], ["agencies", "serve", "--port", str(port)],
                     ["agencies", "serve", "--port", str(port), "--processes", "2"]):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert f"--port: 端口 {port} 已被占用" in err and f"port {port} is in use" in err
    assert main(["court", "serve", "--host", "a" * 70, "--port", "1"]) == 2
    assert "--host: 无法" in capsys.readouterr().err


def test_a_mistake_found_after_the_output_check_leaves_no_empty_evidence_folder(tmp_path, capsys):
    """certify: --out is checked first but made only when the evidence is written; a bad fixtures file (found after
    the check) left an empty folder behind."""
    out = tmp_path / "new" / "evidence"
    assert cli.main(["certify", "agency", "--base-url", "http://127.0.0.1:9", "--fixtures",
                     str(tmp_path / "absent.yaml"), "--out", str(out)]) == 2
    assert "absent.yaml" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_court_serve_says_where_it_listens(monkeypatch, capsys):
    """`zhixing court serve` printed nothing: no URL, no sign it was ready (agencies serve and certify court do)."""
    import httpx
    import uvicorn

    from tests.test_agencies_live import LiveServer, free_port
    from zhixing.cli import main

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    port = free_port()
    assert main(["court", "serve", "--port", str(port)]) == 0
    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{port}" in out and "参考法院" in out and "reference court" in out
    assert served["port"] == port
    monkeypatch.undo()  # the app it would have served, served for real: the banner's docs are there
    with LiveServer(app=served["app"], port=port) as court:
        assert httpx.get(f"{court.url}/docs").status_code == 200
