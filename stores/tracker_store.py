"""An SQL tracker store that stores a turn only on the conversation the turn was read from.

Rasa's SQLTrackerStore stores a turn by counting the conversation's stored events and appending
the tracker's events beyond that count. If another server stored a turn of the same
conversation in between (a lock that let both through: see stores/lock_store.py, or lost with a
Redis restart), the count already includes that turn, and the start of this one, the visitor's
message among it, is silently left out while its answer has been sent.

Here the save first checks that the stored conversation is where this tracker read it: the last
stored event is the tracker's event at that position (same type, same timestamp; a tracker's
events keep the timestamps they were created with). If not, the save is refused, the turn fails
(serving/rasa_patches.py: Rasa itself would carry on from memory), and the visitor is told the
assistant could not answer and to retry (channels/rest.py, the web app); the retry is processed
on the conversation as stored. Several servers need PostgreSQL:
the check and the append hold a per-conversation transaction lock, so two saves of one
conversation cannot both pass the check.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException


class ConversationChangedError(RasaException):
    """Another Rasa server stored a turn of this conversation after this turn read it."""


class CompareAndAppendSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        if session.get_bind().dialect.name == "postgresql":
            # Released when the save's transaction ends.
            lock = sa.func.pg_advisory_xact_lock(sa.func.hashtext(tracker.sender_id))
            session.execute(sa.select(lock))
        stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
        count = stored.count()
        if count:
            last = stored.order_by(None).order_by(self.SQLEvent.id.desc()).first()
            read = tracker.events[count - 1] if count <= len(tracker.events) else None
            if read is None or (read.type_name, read.timestamp) != (
                last.type_name,
                json.loads(last.data).get("timestamp"),
            ):
                raise ConversationChangedError(
                    f"Conversation '{tracker.sender_id}' changed on another server while this "
                    "turn ran; the turn is not stored and its visitor is asked to retry."
                )
        return itertools.islice(tracker.events, count, len(tracker.events))
