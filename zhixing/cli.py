"""The `zhixing` command. This module may import everything; nothing imports it."""

from __future__ import annotations

import sys

import typer

from core_flow.errors import UserError

app = typer.Typer(
    name="zhixing",
    help="执行实施案件流程仿真与测试工具 / enforcement case process simulation and test harness",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    # Each command module adds its own subcommands; see zhixing/cmd_*.py.
    from zhixing import cmd_agencies, cmd_deadline, cmd_demo, cmd_nodes

    for module in (cmd_nodes, cmd_deadline, cmd_agencies, cmd_demo):
        module.register(app)


def main(argv: list[str] | None = None) -> int:
    _register_commands()
    try:
        app(args=argv, standalone_mode=False)
    except UserError as err:
        typer.echo(f"错误 / error: {err.message}", err=True)
        return 2
    except typer.Exit as ex:
        return ex.exit_code
    except typer.Abort:
        return 1
    except Exception as err:  # click usage errors carry their own bilingual-less text
        import click

        if isinstance(err, click.ClickException):
            err.show()
            return err.exit_code
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
