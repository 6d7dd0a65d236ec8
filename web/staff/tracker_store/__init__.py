"""The one reader of Rasa's tracker store (and, for retention only, its one writer).

Rasa's SQLTrackerStore keeps one row per event in a table `events`; this package alone knows
it (schema.py). The rest of the console asks for what it needs here, in its own terms, and gets
plain values back: conversations matching the list's filters, a conversation's events as dicts,
the dashboard's figures, the messages the Improve page lists, the name a visitor gave.

Queries are SQLAlchemy Core with bound parameters, the same on SQLite and PostgreSQL (fields
inside an event's JSON are read with the dialect's functions, sql.py), on a read-only engine
(`tracker_engine`). Every function blocks: the console calls them from its service layer
(web/staff/services), which runs them off the event loop. A store with no table yet raises one
of TRACKER_MISSING.
"""

from web.staff.tracker_store.conversations import (
    ConversationPage,
    all_matching,
    conversation_exists,
    intents_seen,
    list_conversations,
    load_events,
    names_given,
    next_conversation,
)
from web.staff.tracker_store.figures import dashboard_stats, review_counts
from web.staff.tracker_store.messages import load_user_events, unclear_messages
from web.staff.tracker_store.schema import TRACKER_MISSING, tracker_engine

__all__ = [
    "TRACKER_MISSING",
    "ConversationPage",
    "all_matching",
    "conversation_exists",
    "dashboard_stats",
    "intents_seen",
    "list_conversations",
    "load_events",
    "load_user_events",
    "names_given",
    "next_conversation",
    "review_counts",
    "tracker_engine",
    "unclear_messages",
]
