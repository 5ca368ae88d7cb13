"""The `intake` command: one module per command group in this package, their shared
options and failure messages in `bot.cli.common`. Heavy imports (web framework, ORM)
stay inside the commands that need them, so `intake route` starts fast.

Every module defines its commands on its own; they are put together here, so no
command module imports this one.
"""

from __future__ import annotations

import click

from bot.cli.crisis import crisis
from bot.cli.flows import chat, flows
from bot.cli.init import init
from bot.cli.privacy import keys, purge
from bot.cli.route import route
from bot.cli.serve import serve
from bot.cli.staff import staff
from bot.cli.storage import db, export

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Loket Housing intake bot: screening, advice and pre-registration."""


for command in (init, serve, route, export, db, flows, chat, crisis, purge, keys, staff):
    main.add_command(command)
