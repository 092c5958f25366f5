"""Stored events read straight into ``Logged``, for the projections.

The application's mapper turns a stored event into a domain event object, and the
projections then take that object apart again into a dict of its fields. A rebuild
does this a million times, and the object and the records around it cost three
times the JSON decoding itself. So the projections decode the stored state with the
mapper's own transcoder and build ``Logged`` from the dict directly.

The mapper stays the authority for anything beyond decoding: when the store
encrypts or compresses, or a stored event is older than its class
(``class_version``) and must be upcast, the event goes through
``mapper.to_domain_event`` as before. Both paths give equal ``Logged`` values
(tests/integration/test_projection_decoding.py).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification
from eventsourcing.utils import resolve_topic

from events.readmodels.projection import Logged


class LogDecoder:
    """``decoder(position, originator_id, version, topic, state)`` → ``Logged``."""

    def __init__(self, mapper: Mapper[Any]):
        self.mapper = mapper
        self.direct = mapper.cipher is None and mapper.compressor is None
        self.transcode = mapper.transcoder.decode
        self._versions: dict[str, int] = {}

    def __call__(self, position: int, originator_id: Any, version: int, topic: str,
                 state: bytes) -> Logged:
        key = _hex(originator_id)
        if self.direct:
            data = self.transcode(state)
            if data.pop("class_version", 1) >= self._class_version(topic):
                # What ``Logged.from_event`` leaves out of ``data``, as the mapper would.
                at = data.pop("timestamp")
                data.pop("originator_topic", None)
                return Logged(position, topic, key, version, at.astimezone(UTC), data)
        stored = Notification(id=position, originator_id=UUID(key), originator_version=version,
                              topic=topic, state=state)
        return Logged.from_event(position, topic, self.mapper.to_domain_event(stored))

    def _class_version(self, topic: str) -> int:
        if topic not in self._versions:
            self._versions[topic] = getattr(resolve_topic(topic), "class_version", 1)
        return self._versions[topic]


def _hex(originator_id: Any) -> str:
    # SQLite gives the id's 16 bytes, PostgreSQL a UUID.
    if isinstance(originator_id, bytes | bytearray | memoryview):
        return bytes(originator_id).hex()
    return UUID(str(originator_id)).hex
