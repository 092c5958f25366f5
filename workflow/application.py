"""The application service: every interface (CLI, web, API, scheduler) calls these.

Each command resolves who is acting from their recorded history, loads one
aggregate, calls one method (which checks the rules), and saves. Nothing here knows
about SQL or HTTP; the store is chosen by the environment (see ``events.system``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, LRUCache
from eventsourcing.persistence import IntegrityError, Transcoder, Transcoding

from workflow import channel, clock, damage, passwords, rules, validate
from workflow.admin_commands import AdminCommands
from workflow.alerts import AlertCommands
from workflow.base import named_id
from workflow.clock import Clock
from workflow.errors import DomainError, StaleRecords
from workflow.organisation import Unit, User
from workflow.plan import Plan
from workflow.reports import ReportCommands
from workflow.rules import Actor
from workflow.seal import SealCommands
from workflow.task import Task
from workflow.tokens import TokenCommands
from workflow.words import lazy

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)
T = TypeVar("T")


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Workflow(AdminCommands, AlertCommands, ReportCommands, SealCommands, TokenCommands,
               Application[UUID]):
    name = "nhiemvu"
    # Snapshots keep long histories quick to load; a typical task has under 20 events.
    snapshotting_intervals = {Task: 20, User: 20, Unit: 20, Plan: 10}  # noqa: RUF012

    def __init__(self, env: dict[str, str] | None = None, clock_: Clock | None = None):
        super().__init__(env)
        self.clock = clock_
        # How many years ahead a deadline may be set: a typed year such as 9999 is
        # refused rather than stored.
        self.deadline_years = _whole_number(self.env, "NHIEMVU_MAX_DEADLINE_YEARS",
                                            validate.DEADLINE_YEARS, 1, 50)
        # Told after every save, with the log positions it wrote (the read models'
        # catch-up): callbacks registered by the composition root, so this layer
        # never imports the one above it.
        self.after_save: list[Callable[[list[int]], None]] = []
        self.locate_damage: Callable[[UUID], int | None] | None = None
        # Set by the composition root: given {record id: cached version}, a context
        # in which each record's next get reads the events after that version from
        # one query made for all of them (``events.log.recorder``), not one each;
        # with ``trust=True`` it reads none, and the save inside checks that none
        # came (``StaleRecords`` if one did).
        self.read_ahead: Callable[..., Any] | None = None
        self._lag = threading.local()

    def _record(self, processing_event: Any) -> list[Any]:
        recordings = super()._record(processing_event)
        # What was just saved is kept as saved (a copy: the caller still holds the
        # object): with fast-forward the library keeps only what it read, so the
        # next command on a new task replayed it, snapshots asked for, in full. A
        # copy older than the store is harmless: every get reads what came after.
        repository = self.repository
        if repository.cache is not None and repository.fastforward:
            for aggregate_id, aggregate in processing_event.aggregates.items():
                repository.cache.put(aggregate_id, deepcopy(aggregate))
        return recordings

    def _notify(self, recordings: list[Any]) -> None:
        # Read your writes: a command returns only after the read models have caught
        # up. The events are committed by now, so nothing here may turn the command's
        # success into a failure: a catch-up that fails is logged, and the command's
        # caller can see that the views lag (``views_lag``); the next catch-up, by any
        # command or process, applies what this one could not.
        self._lag.failed = False
        positions = [recording.notification.id for recording in recordings]
        for listener in self.after_save:
            try:
                listener(positions)
            except Exception:  # noqa: BLE001 - the command itself succeeded
                log.exception("Read models could not catch up after a save; they lag "
                              "until the next catch-up.")
                self._lag.failed = True

    def views_lag(self) -> bool:
        """Whether the read models failed to catch up after this thread's last save."""
        return getattr(self._lag, "failed", False)

    def forget_lag(self) -> None:
        """Start a new unit of work (a web request) on this thread."""
        self._lag.failed = False

    def register_transcodings(self, transcoder: Transcoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    @contextmanager
    def _at_clock(self) -> Iterator[None]:
        # Every command runs inside: its clock, and the scope of its channel.
        with channel.scope():
            if self.clock is None:
                yield
            else:
                with clock.use_clock(self.clock):
                    yield

    def _save(self, *aggregates: Any, conflict: DomainError | None = None) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise (conflict or DomainError("concurrent_change")) from None

    # -- who is acting -----------------------------------------------------------

    def actor(self, who: str | Actor) -> Actor:
        """Resolve who is acting into an Actor as their history stands now.

        An Actor passed in is read again by username: one cached by an interface
        (a web session) may be stale, e.g. deactivated or granted another role
        since. Only an actor of the system role (the console) is taken as given.
        """
        if isinstance(who, Actor):
            if who.is_system:
                return who
            who = who.username
        return self.get_user(who).as_actor()

    def _acting(self, who: str | Actor) -> Actor:
        # Who is acting is checked before anything is looked up, so an inactive
        # account learns nothing about units, users or tasks.
        actor = self.actor(who)
        if not actor.active:
            raise DomainError("user_inactive", username=actor.username)
        if isinstance(who, Actor) and who.via:
            # Resolved afresh, still acting through the interface that asked.
            actor = replace(actor, via=who.via)
        channel.note(actor.via)
        return actor

    def forget_loaded(self) -> None:
        """Drop the records kept in memory between commands (``AGGREGATE_CACHE_*``):
        each is read from the store again, as by a process opening it now. A record
        kept from before someone damaged its stored events behind the application's
        back is served as it was loaded; the seal's verification finds the damage."""
        cache = self.repository.cache
        if isinstance(cache, LRUCache):
            # A new one: the library's ``clear`` resets only its recency list.
            self.repository.cache = LRUCache(maxsize=cache.maxsize)

    # -- loading: a damaged history is "record_damaged" (workflow.damage) ----------

    def damage_position(self, aggregate_id: UUID) -> int | None:
        """The position of the first damaged stored event of the aggregate, if the
        store can tell (the composition root sets ``locate_damage``); else None."""
        return self.locate_damage(aggregate_id) if self.locate_damage else None

    def _load(self, aggregate_id: UUID, missing: Callable[[], DomainError],
              what: Callable[[], Any], version: int | None = None) -> Any:
        # ``missing`` and ``what`` (the record's name) are made only when needed:
        # every command and request loads the person acting.
        try:
            return self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise missing() from None
        except damage.NOT_DAMAGE:
            raise
        except damage.REPLAY_ERRORS as error:
            raise damage.record_damaged(aggregate_id, what, self.damage_position) from error

    def get_user(self, username: str) -> User:
        return self._load(named_id("user", username),
                          lambda: DomainError("unknown_user", username=username),
                          lambda: lazy("người dùng “%(name)s”", name=username))

    def get_unit(self, code: str) -> Unit:
        return self._load(named_id("unit", code),
                          lambda: DomainError("unknown_unit", unit=code),
                          lambda: lazy("đơn vị “%(code)s”", code=code))

    def get_plan(self, code: str, version: int | None = None) -> Plan:
        """The plan ``code``; as it was at ``version`` when one is given."""
        return self._load(named_id("plan", code),
                          lambda: DomainError("unknown_plan", plan=code),
                          lambda: lazy("kế hoạch “%(code)s”", code=code), version)

    def get_task(self, task_id: UUID | str, version: int | None = None) -> Task:
        """The task; as it was at ``version`` (its events up to that one) when given."""
        def missing() -> DomainError:
            return DomainError("unknown_task", task=str(task_id))

        try:
            key = UUID(str(task_id))
        except ValueError:
            raise missing() from None
        task = self._load(key, missing, lambda: lazy("nhiệm vụ %(id)s", id=key), version)
        if not isinstance(task, Task):
            raise missing()
        return task

    def authenticate(self, username: str, password: str) -> Actor | None:
        """The actor if the password is right and the account active, else None."""
        try:
            user = self.get_user(username)
        except DomainError:
            return None
        if user.active and passwords.verify_password(user.password_hash, password):
            return user.as_actor()
        return None

    # -- tasks -------------------------------------------------------------------

    def assign_task(self, actor: str | Actor, *, unit: str, deadline: date, title: str,
                    description: str = "", target: str | None = None,
                    plan: str | None = None) -> UUID:
        def act() -> UUID:
            who = self._acting(actor)
            rules.check_admin(who, "assign")
            unit_code = self._active_unit(unit).code
            plan_code = None
            chosen = target
            if chosen:
                if not plan:
                    raise DomainError("plan_required", target=chosen)
                adopted = self.get_plan(plan)
                chosen = adopted.target(chosen)["code"]
                plan_code = adopted.code
            task = Task.assign(who, title=title, unit=unit_code, deadline=deadline,
                               description=description, plan=plan_code,
                               target=chosen or None, horizon_years=self.deadline_years)
            self._save(task)
            return task.id

        return self._command(actor, act, lambda: named_id("unit", unit),
                             *([lambda: named_id("plan", plan)] if target and plan else []))

    def _command(self, actor: str | Actor, act: Callable[[], T],
                 *others: Callable[[], UUID]) -> T:
        """Run ``act`` (a command: its reads, its rules, its save) on the person acting
        and the ``others`` as kept in memory, reading nothing first, when all are
        kept: its save records only if none of them changed in the store meanwhile.
        If one did (``StaleRecords``), or the rules refused what was kept, ``act``
        runs again on the records as the store holds them, brought up to date by one
        read (``_reading_ahead``). What another process changed is thus never acted
        on as it was, and a command on records nobody else changed reads nothing."""
        with self._at_clock():
            trusted = False
            try:
                with self._reading_ahead(actor, *others, trust=True) as trusted:
                    return act()
            except StaleRecords:
                pass
            except DomainError:
                if not trusted:
                    raise
            with self._reading_ahead(actor, *others):
                return act()

    @contextmanager
    def _reading_ahead(self, actor: str | Actor, *others: Callable[[], UUID],
                       trust: bool = False) -> Iterator[bool]:
        """The person acting and the ``others`` (their ids, found when asked) brought
        up to date by one query, those kept in memory (``read_ahead``): a command's
        reads become one. ``trust``: when every one is kept, none is read, and the
        block's save checks them (see ``_command``). Yields whether it trusted."""
        cache = self.repository.cache
        if self.read_ahead is None or cache is None or not self.repository.fastforward:
            yield False
            return
        username = actor if isinstance(actor, str) else (
            None if actor.is_system else actor.username)
        wanted: dict[UUID, int] = {}
        records = [lambda: named_id("user", username or ""), *others]
        for record in records:
            try:
                key = record()
                # The version kept: a get that finds another (a thread moved it
                # since) reads for itself, as without this.
                wanted[key] = cache.get(key).version
            except (KeyError, ValueError):  # not kept, or no such id: read alone
                continue
        trust = trust and username is not None and len(wanted) == len(records)
        if not trust and len(wanted) < 2:
            yield False
            return
        with self.read_ahead(wanted, trust=trust):
            yield trust

    def _changing(self, actor: str | Actor, task_id: UUID | str,
                  expected_version: int | None, act: Callable[[Actor, Task], None]) -> None:
        """A command on one task: ``act(who, task)`` changes it, then it is saved."""
        def run() -> None:
            who = self._acting(actor)
            task = self.get_task(task_id)
            if expected_version is not None and task.version != expected_version:
                raise DomainError("concurrent_change")
            act(who, task)
            self._save(task)

        self._command(actor, run, lambda: UUID(str(task_id)))

    def start_task(self, actor: str | Actor, task_id: UUID | str,
                   expected_version: int | None = None) -> None:
        self._changing(actor, task_id, expected_version,
                       lambda who, task: task.start(who))

    def note_progress(self, actor: str | Actor, task_id: UUID | str, text: str,
                      percent: int | str | None = None, value: Decimal | str | None = None,
                      expected_version: int | None = None,
                      evidence: list[dict[str, Any]] | None = None) -> None:
        self._changing(actor, task_id, expected_version,
                       lambda who, task: task.note_progress(who, text, percent, value, evidence))

    def submit_report(self, actor: str | Actor, task_id: UUID | str, summary: str,
                      value: Decimal | str | None = None,
                      evidence: list[dict[str, Any]] | None = None,
                      expected_version: int | None = None) -> None:
        self._changing(actor, task_id, expected_version,
                       lambda who, task: task.submit_report(who, summary, value, evidence))

    def verify_task(self, actor: str | Actor, task_id: UUID | str, comment: str = "",
                    expected_version: int | None = None) -> None:
        self._changing(actor, task_id, expected_version,
                       lambda who, task: task.verify(who, comment))

    def return_task(self, actor: str | Actor, task_id: UUID | str, reason: str,
                    expected_version: int | None = None) -> None:
        self._changing(actor, task_id, expected_version,
                       lambda who, task: task.return_for_rework(who, reason))

    def extend_deadline(self, actor: str | Actor, task_id: UUID | str, deadline: date,
                        reason: str, expected_version: int | None = None) -> None:
        self._changing(actor, task_id, expected_version, lambda who, task: task.extend_deadline(
            who, deadline, reason, self.deadline_years))

    def reassign_task(self, actor: str | Actor, task_id: UUID | str, unit: str, reason: str,
                      expected_version: int | None = None) -> None:
        def act(who: Actor, task: Task) -> None:
            task.check(who, "reassign")  # before the unit is looked up
            task.reassign(who, self._active_unit(unit).code, reason)

        self._changing(actor, task_id, expected_version, act)

    def cancel_task(self, actor: str | Actor, task_id: UUID | str, reason: str,
                    expected_version: int | None = None) -> None:
        self._changing(actor, task_id, expected_version,
                       lambda who, task: task.cancel(who, reason))

    def allowed_actions(self, actor: str | Actor, task_id: UUID | str) -> list[str]:
        return self.get_task(task_id).allowed_actions(self.actor(actor))

    def history(self, aggregate_id: UUID | str) -> list[Any]:
        """Every event of one aggregate, oldest first (one task, never the whole log)."""
        key = UUID(str(aggregate_id))
        try:
            return list(self.events.get(key))
        except damage.NOT_DAMAGE:
            raise
        except damage.REPLAY_ERRORS as error:
            raise damage.record_damaged(key, lambda: lazy("bản ghi %(id)s", id=key),
                                        self.damage_position) from error


def _whole_number(env: Any, name: str, default: int, low: int, high: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name}={raw!r} must be a whole number from {low} to {high}")
    return int(raw)
