"""``zhixing scenarios run PATH… [--junit FILE] [--html FILE] [--agencies-url URL]``.

Every file is loaded and checked first: a schema error anywhere stops the run before any scenario starts.
With ``--agencies-url`` the server is checked next (a bad or unreachable address stops the run, exit 2), then
each scenario runs on its own namespace of that server (``scenarios.remote``).
"""

from __future__ import annotations

from pathlib import Path

import typer

from scenarios.loader import load_paths
from scenarios.report import html_report, junit_xml
from scenarios.runner import run_scenario


def run_command(paths: list[Path], junit: Path | None = None, html: Path | None = None,
                agencies_url: str | None = None, echo=typer.echo) -> int:  # noqa: ANN001
    scenarios = load_paths(paths)  # raises ScenarioFileError (a UserError) listing every problem
    factory = None
    if agencies_url:
        from scenarios.remote import check_server, court_factory

        factory = court_factory(check_server(agencies_url))  # a bad or unreachable URL stops here (exit 2)
    results = []
    for sc in scenarios:
        result = run_scenario(sc, factory)
        results.append(result)
        mark = "✔" if result.passed else "✘"
        echo(f"{mark} {sc.name}  ({sc.where}, {result.seconds:.2f} s)")
        if not result.passed:
            echo("\n".join("    " + line for line in result.explain().splitlines()))
    failed = sum(1 for r in results if not r.passed)
    echo(f"\n共 {len(results)} 个场景，{len(results) - failed} 通过，{failed} 失败 / "
         f"{len(results)} scenarios, {len(results) - failed} passed, {failed} failed")
    if junit:
        junit.write_text(junit_xml(results), encoding="utf-8")
        echo(f"JUnit: {junit}")
    if html:
        html.write_text(html_report(results), encoding="utf-8")
        echo(f"HTML: {html}")
    return 1 if failed else 0
