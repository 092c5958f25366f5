"""What every command shares: the options of the run, the store, and error handling.

Errors become one line and an exit code: 1 when the rules refuse (a ``DomainError``),
2 when what was typed cannot be used (click's own usage errors are 2 as well, and so
is an argument that is not valid UTF-8), 3 when something failed inside (a bug, a
stored event this code cannot read): no traceback unless ``NHIEMVU_DEBUG=1``.
Each command carries this handling itself (``GuardedCommand``), so it keeps working
when its group is merged into another one (the web's ``serve``); it also speaks the
run's language (``--lang``, else ``NHIEMVU_LANG``) to every ``_()`` it calls.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from cli.terminal import printable
from events.system import System
from workflow.errors import DomainError
from workflow.words import _, use_locale

REFUSED = 1
BAD_INPUT = 2
INTERNAL = 3
# Domain errors about what was typed rather than about what the rules allow.
INPUT_CODES = frozenset({"invalid_plan", "instant_in_future"})


@dataclass
class Run:
    """The options of this run of the command line, and the store once opened."""

    database: str | None = None
    lang: str = "vi"
    _store: System | None = field(default=None, repr=False)

    @property
    def store(self) -> System:
        if self._store is None:
            self._store = System(self.database)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def current_run() -> Run:
    """The run's options; defaults from the environment when no group set them."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return Run(lang=_env_lang())
    run = ctx.find_object(Run)
    if run is None:
        root = ctx.find_root()
        run = Run(lang=_env_lang())
        root.obj = run
        root.call_on_close(run.close)
    return run


def _env_lang() -> str:
    return "en" if os.environ.get("NHIEMVU_LANG", "vi").startswith("en") else "vi"


class CliError(click.ClickException):
    """One line on stderr, ``Lỗi: ...``, and the exit code."""

    def __init__(self, message: str, exit_code: int = REFUSED):
        super().__init__(message)
        self.exit_code = exit_code
        # Shown after the run's context is gone: decide the language now.
        self.prefix = _("Lỗi")

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"{self.prefix}: {printable(self.message)}", file=file or sys.stderr)


def bad_input(message: str) -> CliError:
    return CliError(message, BAD_INPUT)


def check_arguments(args: list[str]) -> None:
    """Refuse (exit 2) an argument that is not valid UTF-8, before click reads it.

    Python hands such bytes over as lone surrogates (``\\udcff``); click would carry
    them into the store or fail to print them. The language is the one asked for on
    the same command line (``--lang en``), which click has not read yet.
    """
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = _shown(arg)
            shown = shown if len(shown) <= 60 else shown[:60] + "…"
            with use_locale(_asked_lang(args)):
                raise CliError(_("tham số “%(shown)s” không phải là văn bản UTF-8 hợp lệ; hãy "
                                 "kiểm tra bảng mã của terminal hoặc tệp lệnh (ví dụ "
                                 "LANG=C.UTF-8)", shown=shown), BAD_INPUT) from None


def _shown(arg: str) -> str:
    # The bytes as typed, the invalid ones as \xff; a surrogate not from the command
    # line (no byte behind it) as \ud800.
    try:
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return arg.encode("utf-8", "backslashreplace").decode("utf-8")


def _asked_lang(args: list[str]) -> str:
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "vi"
        if arg.startswith("--lang="):
            return "en" if arg == "--lang=en" else "vi"
    return _env_lang()


def _tell_if_views_lag() -> None:
    """The command is done; say so if the read models could not follow it."""
    store = current_run()._store
    if store is not None and store.service.views_lag():
        click.echo(_("Cảnh báo: đã ghi nhận, nhưng các bảng đọc chưa cập nhật kịp; chúng sẽ "
                     "cập nhật ở lần ghi sau (xem: nhiemvu projections status)."), err=True)


class GuardedCommand(click.Command):
    """A command whose failures are one clear line, never a traceback.

    It speaks the run's language while its arguments are read (a date that is no
    date) and while it runs, its errors included. A group needs no such block: it only
    finds the command (in click's own words) and makes the run."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        check_arguments(args)
        with use_locale(current_run().lang):
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        run = current_run()
        with use_locale(run.lang):
            try:
                result = super().invoke(ctx)
                _tell_if_views_lag()
                return result
            except DomainError as error:
                code = BAD_INPUT if error.code in INPUT_CODES else REFUSED
                raise CliError(error.message(run.lang), code) from None
            except (ArgumentError, NoSuchModuleError) as error:
                raise bad_input(_("địa chỉ cơ sở dữ liệu không hợp lệ (%(error)s)",
                                  error=error)) from None
            except SQLAlchemyError as error:
                detail = str(error).splitlines()[0][:200]
                raise bad_input(_("không dùng được cơ sở dữ liệu %(where)s: %(detail)s",
                                  where=_safe_url(run.database), detail=detail)) from None
            except (click.ClickException, click.exceptions.Exit, click.Abort):
                raise
            except BrokenPipeError:
                # The reader went away (``nhiemvu task list | head``): stop quietly.
                _silence_stdout()
                raise click.exceptions.Exit(0) from None
            except Exception as error:  # noqa: BLE001 - the promise is: never a traceback
                if os.environ.get("NHIEMVU_DEBUG"):
                    raise
                detail = f"{type(error).__name__}: {error}".splitlines()[0][:300]
                raise CliError(_("lỗi nội bộ không mong đợi (%(detail)s); đặt NHIEMVU_DEBUG=1 "
                                 "để xem chi tiết", detail=detail), INTERNAL) from None


class GuardedGroup(click.Group):
    """A group whose commands (and subgroups) are guarded."""

    command_class = GuardedCommand
    group_class = type  # subgroups are GuardedGroups too

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        check_arguments(args)
        return super().parse_args(ctx, args)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (a test runner's buffer): nothing will flush to it


def _safe_url(url: str | None) -> str:
    if not url:
        url = os.environ.get("NHIEMVU_DATABASE_URL", "")
    if not url:
        return "(SQLite ./instance)"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "?"
