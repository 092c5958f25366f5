"""Commands that change a task: each one is one call of the application service.

Every command takes ``--as USER`` (who is acting; the rules are theirs) and, for an
existing task, its id or a unique prefix of it. ``--expected-version N`` refuses the
change if someone else changed the task since you looked at version N.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import click

from cli import params
from cli.runtime import GuardedGroup, current_run
from events import queries
from events.log.evidence_files import EvidenceFiles
from workflow.errors import DomainError
from workflow.words import _


@click.group(cls=GuardedGroup)
def task() -> None:
    """Tasks (nhiệm vụ): assign, work on, report, verify, and read them."""


acting = click.option("--as", "actor", required=True, metavar="USER",
                      help="The username of who is acting.")


def changes_task(func: Callable[..., None]) -> Callable[..., None]:
    """The shared shape of a command on one task: ID, --as, --expected-version."""

    @click.argument("task_ref", metavar="ID")
    @acting
    @click.option("--expected-version", type=click.IntRange(min=1), default=None,
                  help="Refuse if the task is no longer at this version.")
    @wraps(func)
    def command(task_ref: str, actor: str, expected_version: int | None,
                **options: Any) -> None:
        service = current_run().store.service
        task_id = params.task_id(task_ref)
        func(service, actor, task_id, expected_version=expected_version, **options)
        done = service.get_task(task_id)
        click.echo(_("Xong. Nhiệm vụ %(task)s ở phiên bản %(version)s.",
                     task=str(task_id)[:8], version=done.version))

    return command


@task.command("assign")
@acting
@click.option("--unit", "unit_code", required=True, metavar="CODE")
@click.option("--deadline", type=params.DATE, required=True)
@click.option("--title", required=True)
@click.option("--target", metavar="CODE", help="A target of the plan, e.g. CT01.")
@click.option("--plan", "plan_code", metavar="CODE",
              help="The target's plan (default: the most recently adopted).")
@click.option("--description", default="")
def task_assign(actor: str, unit_code: str, deadline: date, title: str,
                target: str | None, plan_code: str | None, description: str) -> None:
    """Assign a new task to a unit; prints the new task's id."""
    store = current_run().store
    target = target.strip().upper() if target else None
    plan_code = plan_code.strip().upper() if plan_code else None
    if target and not plan_code:
        plan_code = queries.default_plan_code(store)
        if plan_code is None:
            raise DomainError("unknown_plan", plan=_("(chưa có kế hoạch)"))
    new_id = store.service.assign_task(actor, unit=unit_code.strip().upper(),
                                       deadline=deadline, title=title,
                                       description=description, target=target,
                                       plan=plan_code)
    click.echo(str(new_id))


@task.command("start")
@changes_task
def task_start(service, actor, task_id, **options) -> None:
    """Start work on task ID."""
    service.start_task(actor, task_id, **options)


@task.command("note")
@changes_task
@click.option("--text", required=True)
@click.option("--percent", type=click.IntRange(0, 100), help="How far along (0-100).")
@click.option("--value", help="The target's measured value so far (a percentage).")
def task_note(service, actor, task_id, *, text, percent, value, **options) -> None:
    """Note progress on task ID."""
    service.note_progress(actor, task_id, text, percent, params.parse_value(value),
                          **options)


@task.command("report")
@changes_task
@click.option("--summary", required=True)
@click.option("--value", help="The target's measured value (a percentage).")
@click.option("--evidence", "evidence_files", multiple=True, metavar="FILE",
              help="A file backing the report (repeatable). Its name, size, SHA-256 "
                   "and media type are recorded and its bytes kept in the instance "
                   "folder's evidence/ (NHIEMVU_INSTANCE), where the web serves them.")
def task_report(service, actor, task_id, *, summary, value, evidence_files,
                **options) -> None:
    """Submit the report of results for task ID."""
    measured = params.parse_value(value)
    # Kept only if the report is recorded; a refused report leaves no file behind.
    with EvidenceFiles().staging() as batch:
        evidence = [params.stage_evidence(batch, path) for path in evidence_files]
        service.submit_report(actor, task_id, summary, measured, evidence, **options)


@task.command("verify")
@changes_task
@click.option("--comment", default="")
def task_verify(service, actor, task_id, *, comment, **options) -> None:
    """Verify (accept) the report of task ID."""
    service.verify_task(actor, task_id, comment, **options)


@task.command("return")
@changes_task
@click.option("--reason", required=True)
def task_return(service, actor, task_id, *, reason, **options) -> None:
    """Return the report of task ID for rework."""
    service.return_task(actor, task_id, reason, **options)


@task.command("extend")
@changes_task
@click.option("--deadline", type=params.DATE, required=True)
@click.option("--reason", required=True)
def task_extend(service, actor, task_id, *, deadline, reason, **options) -> None:
    """Move the deadline of task ID."""
    service.extend_deadline(actor, task_id, deadline, reason, **options)


@task.command("reassign")
@changes_task
@click.option("--unit", "unit_code", required=True, metavar="CODE")
@click.option("--reason", required=True)
def task_reassign(service, actor, task_id, *, unit_code, reason, **options) -> None:
    """Hand task ID to another unit."""
    service.reassign_task(actor, task_id, unit_code.strip().upper(), reason, **options)


@task.command("cancel")
@changes_task
@click.option("--reason", required=True)
def task_cancel(service, actor, task_id, *, reason, **options) -> None:
    """Cancel task ID."""
    service.cancel_task(actor, task_id, reason, **options)
