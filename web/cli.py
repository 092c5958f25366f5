"""The ``nhiemvu`` command: the operator commands of ``events.cli`` plus ``serve``.

``serve`` lives here because it needs Flask; ``events`` never imports ``web``, so the
full command is assembled in this module, the console script's entry point.
"""

from __future__ import annotations

import copy

import click

from events.cli import main as operator_commands
from events.cli.runtime import GuardedCommand, tr


@click.command("serve", cls=GuardedCommand)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for the whole office network).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, threads: int) -> None:
    """Serve the web app under waitress until interrupted.

    The deadline-alert scheduler runs inside unless NHIEMVU_SCHEDULER=off (set that
    on every web process when `nhiemvu scheduler` runs on its own).
    """
    import waitress

    from events.alerts.scheduler import scheduler_enabled, start_scheduler
    from web import create_app, storage

    app = create_app()
    scheduler = None
    if scheduler_enabled():
        with app.app_context():
            scheduler = start_scheduler(app.extensions[storage.KEY].get)
    click.echo(tr(f"Đang phục vụ tại http://{host}:{port}/ (Ctrl+C để dừng)",
                  f"Serving on http://{host}:{port}/ (Ctrl+C to stop)"))
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="nhiemvu")
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        storage.close(app)


def _with_serve(group: click.Group) -> click.Group:
    # A copy, so that importing this module never changes ``events.cli.main``.
    whole = copy.copy(group)
    whole.commands = {**group.commands, "serve": serve}
    return whole


main = _with_serve(operator_commands)
