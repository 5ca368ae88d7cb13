"""The `intake` command: one module per command group in this package, their shared
options and failure messages in `bot.cli.common`.

The group is lazy: a command's module is imported only when that command runs (or
when `--help` lists them), and heavy imports (web framework, ORM, settings) stay
inside the commands that need them, so `intake route` starts fast
(bench/cold_start.py). Every module defines its commands on its own; no command
module imports this one.
"""

from __future__ import annotations

from importlib import import_module

import click

__all__ = ["COMMANDS", "main"]

# Command name -> "module:attribute", in the order `--help` lists them.
COMMANDS = {
    "init": "bot.cli.init:init",
    "serve": "bot.cli.serve:serve",
    "route": "bot.cli.route:route",
    "export": "bot.cli.storage:export",
    "db": "bot.cli.storage:db",
    "flows": "bot.cli.flows:flows",
    "chat": "bot.cli.flows:chat",
    "crisis": "bot.cli.crisis:crisis",
    "purge": "bot.cli.privacy:purge",
    "keys": "bot.cli.privacy:keys",
    "staff": "bot.cli.staff:staff",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Loket Housing intake bot: screening, advice and pre-registration."""
