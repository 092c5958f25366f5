"""The projections' own decoding of stored events gives what the mapper would.

``events.readmodels.decoding.LogDecoder`` skips the domain event objects; these
tests hold it to the application mapper's result for every event a real store
holds, and check that upcasting and compression still go through the mapper.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from eventsourcing.compressor import ZlibCompressor
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, Notification

from events.demo.sample import fill
from events.readmodels.decoding import LogDecoder
from events.readmodels.projection import Logged
from events.system import System


def fields(logged: Logged) -> tuple:
    return (logged.position, logged.topic, logged.key, logged.version, logged.at,
            logged.data, logged.type, logged.area, logged.actor)


def by_mapper(mapper: Mapper, notification: Notification) -> Logged:
    return Logged.from_event(notification.id, notification.topic,
                             mapper.to_domain_event(notification))


def test_every_event_of_a_filled_store_decodes_as_the_mapper_decodes_it(database_url, nhiemvu):
    fill(database_url, password="demo-mat-khau")
    assert nhiemvu("alerts", "sweep").exit_code == 0
    with System(database_url) as store:
        recorder, mapper = store.service.recorder, store.service.mapper
        notifications = recorder.select_notifications(start=1, limit=100_000)
        decode = LogDecoder(mapper)
        topics = set()
        for n in notifications:
            direct = decode(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            assert fields(direct) == fields(by_mapper(mapper, n)), n.topic
            assert direct.at.tzinfo is UTC
            topics.add(n.topic)
    # Every kind of aggregate the application stores was among them.
    assert {t.split(".")[1] for t in topics} >= {"organisation", "plan", "task", "alerts"}


class Parcel(Aggregate):
    """A test aggregate whose second event class is now at version 2."""

    TOPIC = "nhiemvu.test.Parcel"

    class Created(Aggregate.Created):
        TOPIC = "nhiemvu.test.ParcelCreated"

    class Weighed(Aggregate.Event):
        TOPIC = "nhiemvu.test.ParcelWeighed"
        class_version = 2
        kilograms: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["kilograms"] = str(int(state.pop("grams")) / 1000)


def stored(mapper: Mapper, topic: str, state: dict, position: int = 7) -> Notification:
    return Notification(id=position, originator_id=uuid4(), originator_version=2, topic=topic,
                        state=mapper.transcoder.encode(state))


def test_an_event_older_than_its_class_is_upcast_by_the_mapper(store):
    mapper = store.service.mapper
    old = stored(mapper, Parcel.Weighed.TOPIC,
                 {"timestamp": datetime(2025, 3, 1, 2, tzinfo=UTC), "grams": "1250"})
    logged = LogDecoder(mapper)(old.id, old.originator_id, old.originator_version,
                                old.topic, old.state)
    assert logged.data == {"kilograms": "1.25"}
    assert logged.type == "ParcelWeighed" and logged.area == "test"
    assert fields(logged) == fields(by_mapper(mapper, old))


def test_an_event_at_its_class_version_keeps_its_fields(store):
    mapper = store.service.mapper
    current = stored(mapper, Parcel.Weighed.TOPIC,
                     {"timestamp": datetime(2025, 3, 1, 2, tzinfo=UTC), "kilograms": "2.5",
                      "class_version": 2})
    logged = LogDecoder(mapper)(current.id, current.originator_id, 2, current.topic,
                                current.state)
    assert logged.data == {"kilograms": "2.5"}
    assert fields(logged) == fields(by_mapper(mapper, current))


def test_a_compressed_store_is_decoded_by_its_mapper(store):
    plain = store.service.mapper
    mapper = Mapper(transcoder=plain.transcoder, compressor=ZlibCompressor())
    state = mapper.transcoder.encode({"timestamp": datetime(2025, 3, 1, 2, tzinfo=UTC),
                                      "kilograms": "3", "class_version": 2})
    event = Notification(id=3, originator_id=uuid4(), originator_version=2,
                         topic=Parcel.Weighed.TOPIC, state=mapper.compressor.compress(state))
    logged = LogDecoder(mapper)(event.id, event.originator_id, 2, event.topic, event.state)
    assert logged.data == {"kilograms": "3"}
    assert fields(logged) == fields(by_mapper(mapper, event))
