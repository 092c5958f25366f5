"""The ``nhiemvu`` command line, an interface beside ``web``: one click group,
commands in small modules, each calling the application service.

Exit codes: 0 done, 1 refused by the rules, 2 bad usage or input, 3 internal error.
``runtime`` holds what every command shares (the run's store and language, error
handling); ``serve`` starts the web app, the one command that imports ``web``.

May import: ``events``, ``workflow``, and ``web`` in ``serve`` only.
"""

from __future__ import annotations

import click

from cli import (
    admin,
    alerts,
    audit,
    backup,
    demo,
    listing,
    projections,
    reports,
    serve,
    tasks,
    tokens,
)
from cli.runtime import GuardedGroup, Run

__all__ = ["main"]


@click.group(cls=GuardedGroup)
@click.option("--database", metavar="URL", envvar="NHIEMVU_DATABASE_URL",
              help="The store (default: NHIEMVU_DATABASE_URL, else SQLite in ./instance).")
@click.option("--lang", type=click.Choice(["vi", "en"]), envvar="NHIEMVU_LANG",
              default="vi", show_default=True, help="Language of messages.")
@click.pass_context
def main(ctx: click.Context, database: str | None, lang: str) -> None:
    """Nhiệm vụ chuyển đổi số: theo dõi nhiệm vụ của kế hoạch xã.

    Tracks the tasks of a commune's digital-transformation plan.
    """
    run = Run(database=database or None, lang=lang)
    ctx.obj = run
    ctx.call_on_close(run.close)


admin.register(main)
demo.register(main)
main.add_command(tasks.task)
main.add_command(listing.summary)
main.add_command(projections.projections)
alerts.register(main)
main.add_command(audit.audit)
reports.register(main)
backup.register(main)
tokens.register(main)
main.add_command(serve.serve)
