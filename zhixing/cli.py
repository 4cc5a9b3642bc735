"""The `zhixing` command. This module may import everything; nothing imports it."""

from __future__ import annotations

import sys

import typer

from core_flow.errors import UserError
from core_flow.os_text import os_reason
from zhixing import help_text, usage, warning_lines

app = typer.Typer(
    name="zhixing",
    help="执行实施案件流程仿真与测试工具 / enforcement case process simulation and test harness",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_registered = False


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"zhixing {version('zhixing')}")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: bool = typer.Option(False, "--version", help="显示版本 / show the version", callback=_version,
                                      is_eager=True),
) -> None:
    """执行实施案件流程仿真与测试工具 / enforcement case process simulation and test harness."""


def _register_commands() -> None:
    # Each command module adds its own subcommands; see zhixing/cmd_*.py.
    global _registered
    if _registered:
        return
    from zhixing import (
        cmd_agencies,
        cmd_calendar,
        cmd_certify,
        cmd_court,
        cmd_deadline,
        cmd_demo,
        cmd_duban,
        cmd_nodes,
        cmd_plan,
        cmd_profile,
        cmd_scenarios,
        cmd_simulate,
        cmd_timeline,
    )

    for module in (cmd_nodes, cmd_deadline, cmd_calendar, cmd_timeline, cmd_agencies, cmd_demo, cmd_duban,
                   cmd_scenarios, cmd_court, cmd_profile, cmd_simulate, cmd_plan, cmd_certify):
        module.register(app)
    _registered = True


def _click_errors() -> tuple[type[Exception], ...]:
    # Typer may ship its own copy of click: catch the usage errors of both.
    import click

    kinds: list[type[Exception]] = [click.ClickException]
    try:
        from typer._click.exceptions import ClickException as TyperClickException

        kinds.append(TyperClickException)
    except ImportError:
        pass
    return tuple(kinds)


def main(argv: list[str] | None = None) -> int:
    _register_commands()
    help_text.localise()
    warning_lines.install()
    try:
        result = app(args=argv, standalone_mode=False)
    except UserError as err:
        typer.echo(f"错误 / error: {err.message}", err=True)
        return 2
    except typer.Exit as ex:
        return ex.exit_code
    except typer.Abort:
        return 1
    except _click_errors() as err:
        if type(err).__name__ == "NoArgsIsHelpError":  # a group called bare: its help page
            err.show()
        elif hasattr(err, "ctx"):  # a usage error
            usage.show(err, lambda line: typer.echo(line, err=True))
        else:
            typer.echo(f"错误 / error: {err.format_message()}", err=True)
        return err.exit_code
    except OSError as err:  # a path the user gave that cannot be read or written (a full disk, a permission)
        if err.filename is None:
            raise
        why_zh, why_en = os_reason(err)
        typer.echo(f"错误 / error: {err.filename}: 无法读写（{why_zh}） / cannot read or write it "
                   f"({why_en})", err=True)
        return 2
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
