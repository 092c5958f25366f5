"""``nhiemvu serve``: the web app under waitress (one process) or gunicorn
(``--workers N``, ``cli/workers.py``), with the deadline scheduler inside each.

The one command that imports ``web`` (only when it runs, so every other command
starts without Flask)."""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading

import click

from cli.runtime import GuardedCommand, current_run
from workflow.words import _

log = logging.getLogger(__name__)


@click.command("serve", cls=GuardedCommand)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for the whole office network).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Threads per process. Default: 4 in one process, 2 per worker "
                   "with several.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes, under gunicorn when more than 1 (not on Windows). "
                   "Default: 1 on SQLite; on PostgreSQL one per core, at most 4.")
def serve(host: str, port: int, threads: int | None, workers: int | None) -> None:
    """Serve the web app until interrupted: waitress in one process, gunicorn with
    --workers N.

    The deadline-alert scheduler runs inside every process unless NHIEMVU_SCHEDULER=off;
    each of its jobs runs in one process at a time, whatever their number.
    """
    from events.settings import database_url

    _log_jobs()
    run = current_run()
    if run.database:
        # The app, built in each process, opens the store this command was given.
        os.environ["NHIEMVU_DATABASE_URL"] = run.database
    count = workers or default_workers(database_url(run.database))
    if count > 1 and sys.platform == "win32":
        click.echo(_("Trên Windows chỉ phục vụ bằng một tiến trình; bỏ qua --workers %(n)s.",
                     n=count), err=True)
        count = 1
    threads = threads or default_threads(count)
    if count == 1:
        _serve_one(host, port, threads)
    else:
        _serve_workers(host, port, threads, count)


def _log_jobs() -> None:
    # What the scheduler's jobs did (and skipped, in another process's favour), in
    # the journal or terminal as `nhiemvu scheduler` prints it; the servers' own
    # messages are theirs to configure.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s[%(process)d]: %(message)s"))
    jobs = logging.getLogger("nhiemvu")
    jobs.addHandler(handler)
    jobs.setLevel(logging.INFO)


def _serve_one(host: str, port: int, threads: int) -> None:
    import waitress

    from web import create_app, storage

    app = create_app()
    startup = _open(app)
    click.echo(_("Đang phục vụ tại http://%(host)s:%(port)s/ (Ctrl+C để dừng)",
                 host=host, port=port))
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="nhiemvu")
    finally:
        startup.stop()
        storage.close(app)


def _serve_workers(host: str, port: int, threads: int, count: int) -> None:
    from cli import workers
    from web import create_app, storage

    # Once here, before any fork, then closed: the secret key every worker signs
    # sessions with exists, and the tables are created (or upgraded) and the read
    # models caught up by one process, not raced by N. No connection stays open.
    app = create_app()
    down = False
    try:
        app.extensions[storage.KEY].get()
    except Exception as error:
        if not storage.is_unavailable(error):
            raise  # a wrong URL or schema: one line from GuardedCommand, exit 2
        _say_unavailable(error)
        down = True
    finally:
        storage.close(app)
    del app

    def build():
        # In each worker, after the fork: its own app, store and scheduler.
        worker_app = create_app()
        startup = _open(worker_app, quiet=down)

        def stop() -> None:
            startup.stop()
            storage.close(worker_app)

        return worker_app, stop

    click.echo(_("Đang phục vụ tại http://%(host)s:%(port)s/ bằng %(n)s tiến trình "
                 "(Ctrl+C để dừng)", host=host, port=port, n=count))
    workers.run(build, host=host, port=port, workers=count, threads=threads)


def _open(app, *, quiet: bool = False) -> Startup:
    """Open the app's store and start its scheduler, or serve 503 until it opens.
    ``quiet``: the master found the database away and said so for every worker."""
    from events.processes.scheduler import scheduler_enabled
    from web import storage

    holder = app.extensions[storage.KEY]
    startup = Startup(holder, scheduler_enabled(),
                      _("Đã kết nối được cơ sở dữ liệu; hết trả lời 503."))
    try:
        holder.get()
    except Exception as error:
        if not storage.is_unavailable(error):
            raise  # a wrong URL or schema: one line from GuardedCommand, exit 2
        if not quiet:  # else the master said it already, once for every worker
            _say_unavailable(error)
        startup.recovering = True
    else:
        if quiet:
            # Back between the master's attempt and this worker's start: the master's
            # message is answered here.
            click.echo(startup.recovered, err=True)
    startup.begin()
    # What the process has made so far (modules, the app, its statements and
    # templates: some 140,000 objects) it keeps for good: out of the collector's
    # reach. Its full passes over them stopped every request of the process, up to
    # 0.38 s each under load (bench/load.py, docs/performance.md).
    gc.collect()
    gc.freeze()
    return startup


def _say_unavailable(error: BaseException) -> None:
    # Serve anyway: pages answer 503 until the database is back, then recover.
    click.echo(_("Chưa kết nối được cơ sở dữ liệu (%(error)s); vẫn phục vụ và trả lời "
                 "503 cho đến khi kết nối lại được.", error=_first_line(error)), err=True)


def default_threads(processes: int) -> int:
    """Few threads: the pages are CPU work under one interpreter lock per process, and
    more threads only hand it back and forth (bench/load.py, 03/12/2026: four workers
    on PostgreSQL served 79 requests/s with 2 threads each, 65 with 8; one process on
    SQLite 93–95 with 2 or 4, 69 with 8). Enough stay to overlap the database's waits."""
    return 4 if processes == 1 else 2


def default_workers(url: str) -> int:
    if sys.platform == "win32":
        return 1
    from cli import workers

    return workers.default_workers(url)


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
