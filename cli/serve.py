"""``nhiemvu serve``: the web app under waitress, with the deadline scheduler inside.

The one command that imports ``web`` (only when it runs, so every other command
starts without Flask)."""

from __future__ import annotations

import logging
import threading

import click

from cli.runtime import GuardedCommand
from workflow.words import _

log = logging.getLogger(__name__)


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

    from events.processes.scheduler import scheduler_enabled
    from web import create_app, storage

    app = create_app()
    holder = app.extensions[storage.KEY]
    startup = Startup(holder, scheduler_enabled(),
                      _("Đã kết nối được cơ sở dữ liệu; hết trả lời 503."))
    try:
        holder.get()
    except Exception as error:
        if not storage.is_unavailable(error):
            raise  # a wrong URL or schema: one line from GuardedCommand, exit 2
        # Serve anyway: pages answer 503 until the database is back, then recover.
        click.echo(_("Chưa kết nối được cơ sở dữ liệu (%(error)s); vẫn phục vụ và trả lời "
                     "503 cho đến khi kết nối lại được.", error=_first_line(error)), err=True)
        startup.recovering = True
    startup.begin()
    click.echo(_("Đang phục vụ tại http://%(host)s:%(port)s/ (Ctrl+C để dừng)",
                 host=host, port=port))
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="nhiemvu")
    finally:
        startup.stop()
        storage.close(app)


class Startup:
    """Starts the scheduler once the store is open, retrying with a back-off while
    the database cannot be reached: a sweep never runs against a missing store."""

    def __init__(self, holder, with_scheduler: bool, recovered: str):
        self.holder = holder
        self.with_scheduler = with_scheduler
        self.recovered = recovered
        self.recovering = False
        self.scheduler = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()

    def begin(self) -> None:
        if self.recovering:
            # Whichever thread opens the store (a request, or this one) says so.
            self.holder.on_open.append(lambda store: click.echo(self.recovered, err=True))
        if self.with_scheduler:
            threading.Thread(target=self._run, name="nhiemvu-startup", daemon=True).start()

    def _run(self) -> None:
        from events.processes.scheduler import start_scheduler
        from web import storage

        delay = 0.0
        while not self._stopped.wait(delay):
            try:
                self.holder.get()
            except Exception as error:  # noqa: BLE001 - retried; requests show the cause
                if not storage.is_unavailable(error):
                    log.exception("opening the store failed")
                delay = min(max(delay * 2, 1.0), 30.0)
                continue
            with self._lock:
                if self.with_scheduler and not self._stopped.is_set():
                    self.scheduler = start_scheduler(self.holder.get)
            return

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=False)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__
