"""Event topics are explicit and stable, and old events can be upcast or re-homed.

See docs/events.md, "Keeping stored events readable".
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate, CanMutateAggregate, event
from eventsourcing.utils import register_topic, resolve_topic

import workflow
from tests import commune
from workflow.application import Workflow
from workflow.base import Record
from workflow.organisation import Unit, User
from workflow.plan import Plan
from workflow.task import Task

# The topics stored since 0.1.0 (docs/events.md). They must never change.
STORED_TOPICS = {
    Task: ["nhiemvu.task.TaskAssigned", "nhiemvu.task.WorkStarted",
           "nhiemvu.task.ProgressNoted", "nhiemvu.task.ReportSubmitted",
           "nhiemvu.task.ReportVerified", "nhiemvu.task.ReportReturned",
           "nhiemvu.task.DeadlineExtended", "nhiemvu.task.TaskReassigned",
           "nhiemvu.task.TaskCancelled"],
    Unit: ["nhiemvu.organisation.UnitCreated", "nhiemvu.organisation.UnitRenamed",
           "nhiemvu.organisation.UnitDeactivated"],
    User: ["nhiemvu.organisation.UserRegistered", "nhiemvu.organisation.RoleGranted",
           "nhiemvu.organisation.UserDeactivated", "nhiemvu.organisation.UserReactivated",
           "nhiemvu.organisation.PasswordChanged",
           # since issue 15
           "nhiemvu.organisation.ApiTokenIssued", "nhiemvu.organisation.ApiTokenRevoked"],
    Plan: ["nhiemvu.plan.PlanAdopted", "nhiemvu.plan.PlanRevised"],
}
AGGREGATE_TOPICS = {Task: "nhiemvu.task.Task", Unit: "nhiemvu.organisation.Unit",
                    User: "nhiemvu.organisation.User", Plan: "nhiemvu.plan.Plan"}


def _aggregates() -> list[type]:
    """Every aggregate class defined in any module of ``workflow``."""
    found = set()
    for info in pkgutil.walk_packages(workflow.__path__, "workflow."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Record) and value is not Record
                    and value.__module__ == module.__name__):
                found.add(value)
    return sorted(found, key=lambda cls: cls.__qualname__)


def _event_classes(aggregate: type) -> dict[str, type]:
    """The event classes an aggregate records (its base ``Event`` is never stored)."""
    return {name: value for name, value in vars(aggregate).items()
            if isinstance(value, type) and issubclass(value, CanMutateAggregate)
            and name != "Event"}


def test_the_stored_topics_of_0_1_0_are_unchanged():
    for aggregate, topics in STORED_TOPICS.items():
        assert AGGREGATE_TOPICS[aggregate] == aggregate.TOPIC
        # ``Created`` is never stored (``__init__`` records the named first event); an
        # explicit event class (``class ReportSubmitted``) holds its topic on the class
        # the library wraps, hence ``cls.TOPIC`` rather than ``cls.__dict__``.
        own = sorted(cls.TOPIC for name, cls in _event_classes(aggregate).items()
                     if name != "Created")
        assert own == sorted(topics), aggregate
        for topic in topics:
            assert topic == resolve_topic(topic).TOPIC


@pytest.mark.parametrize("aggregate", _aggregates(), ids=lambda cls: cls.__qualname__)
def test_every_aggregate_and_event_class_has_an_explicit_nhiemvu_topic(aggregate):
    assert aggregate.__dict__.get("TOPIC", "").startswith("nhiemvu."), aggregate
    assert resolve_topic(aggregate.TOPIC) is aggregate
    events = _event_classes(aggregate)
    assert events, aggregate
    for name, cls in events.items():
        topic = getattr(cls, "TOPIC", "")
        assert topic.startswith("nhiemvu."), (aggregate, name)
        assert ":" not in topic  # not a module path, which moving the class would break


def test_the_issue_2_aggregates_are_all_found():
    assert set(STORED_TOPICS) <= set(_aggregates())


def test_a_stored_event_is_stored_under_its_topic_and_the_topic_resolves(service):
    commune.set_up(service)
    task_id = commune.task_in_state(service, "reported")
    stored = service.recorder.select_events(task_id)
    assert [s.topic for s in stored] == ["nhiemvu.task.TaskAssigned",
                                        "nhiemvu.task.WorkStarted",
                                        "nhiemvu.task.ReportSubmitted"]
    assert [resolve_topic(s.topic) for s in stored] == [
        type(e) for e in service.history(task_id)]
    assert b"nhiemvu.task.Task" in stored[0].state  # the originator topic, also stable


# -- old events meeting new code ----------------------------------------------------
# Version 1 of two example aggregates is written by another Python process, as an
# older release of the code would have written it; this process holds version 2.

VERSION_1 = '''
import sys
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

class Parcel(Aggregate):
    TOPIC = "nhiemvu.example.Parcel"

    class Created(Aggregate.Created):
        TOPIC = "nhiemvu.example.Parcel.Created"

    @event("ParcelRegistered", topic="nhiemvu.example.ParcelRegistered")
    def __init__(self, label: str):
        self.label = label

    @event("ParcelWeighed", topic="nhiemvu.example.ParcelWeighed")
    def weigh(self, grams: int):
        self.grams = grams

class Box(Aggregate):
    TOPIC = "nhiemvu.example.Box"

    class Created(Aggregate.Created):
        TOPIC = "nhiemvu.example.Box.Created"

    @event("BoxPacked", topic="nhiemvu.example.BoxPacked")
    def __init__(self, contents: str):
        self.contents = contents

class OldRelease(Application):
    name = "nhiemvu"  # the same events table as today's application

app = OldRelease(env={"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
                      "SQLALCHEMY_URL": sys.argv[1], "CREATE_TABLE": "y"})
parcel = Parcel("Hồ sơ địa chính")
parcel.weigh(1250)
box = Box("Máy tính bảng")
app.save(parcel, box)
print(parcel.id, box.id)
'''


class Parcel(Aggregate):
    """Version 2: a parcel also has a sender, and its weight is in kilograms."""

    TOPIC = "nhiemvu.example.Parcel"

    class Created(Aggregate.Created):
        TOPIC = "nhiemvu.example.Parcel.Created"

    class Registered(Created):
        TOPIC = "nhiemvu.example.ParcelRegistered"  # the stored topic, kept
        class_version = 2
        label: str
        sender: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["sender"] = "(không rõ)"

    class Weighed(Aggregate.Event):
        TOPIC = "nhiemvu.example.ParcelWeighed"
        class_version = 2
        kilograms: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["kilograms"] = str(Decimal(state.pop("grams")) / 1000)

    @event(Registered)
    def __init__(self, label: str, sender: str):
        self.label = label
        self.sender = sender

    @event(Weighed)
    def weigh(self, kilograms: str):
        self.kilograms = kilograms


class Crate(Aggregate):
    """What version 1 called ``Box``: renamed, with new topics, old ones aliased."""

    TOPIC = "nhiemvu.example.Crate"

    class Created(Aggregate.Created):
        TOPIC = "nhiemvu.example.Crate.Created"

    @event("CratePacked", topic="nhiemvu.example.CratePacked")
    def __init__(self, contents: str):
        self.contents = contents


register_topic("nhiemvu.example.Box", Crate)
register_topic("nhiemvu.example.BoxPacked", Crate.CratePacked)


@pytest.fixture(scope="module")
def version_1_events(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('v1') / 'old.sqlite3'}"
    done = subprocess.run([sys.executable, "-c", VERSION_1, url], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    parcel_id, box_id = done.stdout.split()
    app = Workflow({"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
                    "SQLALCHEMY_URL": url})
    yield app, UUID(parcel_id), UUID(box_id)
    app.close()
    app.recorder.datastore.engine.dispose()


def test_an_old_event_version_is_upcast_when_read(version_1_events):
    app, parcel_id, _ = version_1_events
    stored = app.recorder.select_events(parcel_id)
    assert b"class_version" not in stored[0].state  # written by version 1
    parcel = app.repository.get(parcel_id)
    assert type(parcel) is Parcel
    assert (parcel.label, parcel.sender, parcel.kilograms) == (
        "Hồ sơ địa chính", "(không rõ)", "1.25")
    assert not hasattr(parcel, "grams")
    parcel.weigh("2.5")
    app.save(parcel)
    assert b'"class_version":2' in app.recorder.select_events(parcel_id)[-1].state.replace(
        b" ", b"")
    assert app.repository.get(parcel_id).kilograms == "2.5"


def test_a_renamed_class_reads_its_old_events_through_registered_topic_aliases(
        version_1_events):
    app, _, box_id = version_1_events
    assert [s.topic for s in app.recorder.select_events(box_id)] == [
        "nhiemvu.example.BoxPacked"]
    crate = app.repository.get(box_id)
    assert type(crate) is Crate
    assert crate.contents == "Máy tính bảng"
