"""``nhiemvu serve --workers N``: N processes under gunicorn (Linux, macOS), through
gunicorn's custom application API (``gunicorn.app.base.BaseApplication``).

The app is built in each worker after the fork, never in the master (no
``preload_app``): each worker opens its own store, its own pooled connections and
its own scheduler; nothing that holds a connection crosses a fork. Which app and
how it stops are ``serve``'s (``build`` returns both): this module knows no web.

SIGTERM (a service manager's stop) is gunicorn's graceful stop: workers finish the
requests they are serving, up to ``GRACEFUL_SECONDS``. Ctrl+C reaches every process
of the terminal at once and stops them at once; either way each worker stops its
scheduler and closes its store on the way out (``worker_exit``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

# A request still running after this long at a stop is cut: longer than any page or
# export takes (docs/performance.md), short enough for a service manager's patience.
GRACEFUL_SECONDS = 30
MOST_WORKERS = 4


def default_workers(url: str) -> int:
    """1 on SQLite (one commune, one process: the file has one writer at a time and
    one process already serves far more than a commune asks); on PostgreSQL one per
    core, at most ``MOST_WORKERS`` (docs/deployment.md says why not gunicorn's
    2 × cores + 1)."""
    if not url.startswith("postgresql"):
        return 1
    return max(1, min(_cores(), MOST_WORKERS))


def _cores() -> int:
    # The cores this process may run on (a container's or a taskset's share).
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Workers(BaseApplication):
    """gunicorn's arbiter and ``workers`` gthread workers of ``threads`` threads."""

    def __init__(self, build: Callable[[], tuple[Any, Callable[[], None]]], *,
                 host: str, port: int, workers: int, threads: int):
        self.build = build
        self.options = {
            "bind": bind_address(host, port),
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            # Each worker its own listening socket, the kernel spreading connections
            # among them (Linux's SO_REUSEPORT). With one shared socket, whichever
            # worker woke first took most of the connections, and a kept-alive
            # connection stays with its worker: one worker served three quarters
            # of them, the others idled (bench/load.py, docs/performance.md).
            "reuse_port": sys.platform.startswith("linux"),
            "preload_app": False,
            "graceful_timeout": GRACEFUL_SECONDS,
            "proc_name": "nhiemvu",
            # The journal or terminal, as waitress's messages: no access log.
            "errorlog": "-",
            "loglevel": "info",
            "worker_exit": _worker_exit,
        }
        self.stop: Callable[[], None] | None = None
        super().__init__()

    def load_config(self) -> None:
        assert self.cfg is not None
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn ≥ 25.1 listens on one socket per user by default
            # ($XDG_RUNTIME_DIR/gunicorn.ctl): a second server would take it over.
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        # In the worker, after the fork: gunicorn calls it once per worker.
        app, self.stop = self.build()
        return app


def _worker_exit(server: Any, worker: Any) -> None:
    application = worker.app
    if isinstance(application, Workers) and application.stop is not None:
        application.stop()
        application.stop = None
    sys.stdout.flush()


def run(build: Callable[[], tuple[Any, Callable[[], None]]], *, host: str, port: int,
        workers: int, threads: int) -> None:
    """Serve until stopped (SIGTERM, SIGINT); returns when every worker has exited."""
    Workers(build, host=host, port=port, workers=workers, threads=threads).run()
