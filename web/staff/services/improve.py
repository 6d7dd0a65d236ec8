"""Improving the assistant: the messages it did not handle with confidence, grouped and split
into new and handled by their labels; labelling (or ignoring) them, undoing that, and the
labels kept so far. Labels live in the clinic database, the messages in the tracker store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from web.staff import clinic_queries, tracker_store
from web.staff.domain import domain_info
from web.staff.grouping import group_messages, split_by_label, with_labels
from web.staff.inputs import BadInput
from web.staff.plain_words import grouped
from web.staff.services.base import Service, blocking


class Improve(Service):
    @blocking
    def inbox(self, days: int, show_handled: bool, saved_ids: Sequence[int]) -> dict[str, Any]:
        """The new groups of the last `days` days, the handled ones when asked, the intents
        to label them with, and the labels just saved (`saved_ids`, for the confirmation)."""
        since = (datetime.now(timezone.utc) - timedelta(days=days)).timestamp()
        try:
            messages = tracker_store.unclear_messages(self.tracker, since=since)
        except tracker_store.TRACKER_MISSING:
            messages = []
        labelled = clinic_queries.labels_by_key(self.clinic)
        open_messages, handled_messages = split_by_label(messages, labelled)
        handled = with_labels(group_messages(handled_messages), labelled) if show_handled else []
        return {
            "groups": group_messages(open_messages),
            "messages": len(open_messages),
            "handled": handled,
            "labelled": len(labelled),
            "intents": grouped(sorted(domain_info()["intents"] - {"nlu_fallback"})),
            "saved": clinic_queries.labels_with_ids(self.clinic, saved_ids),
            "states": clinic_queries.state_counts(self.clinic),
        }

    @blocking
    def label(self, event_ids: Sequence[int], intent: str, reason: str) -> list[int]:
        """Labels these messages (those still in the tracker store); the new labels' ids."""
        try:
            found = tracker_store.load_user_events(self.tracker, event_ids)
        except tracker_store.TRACKER_MISSING:
            found = []
        if not found:
            raise BadInput("Those messages are no longer in the conversation store.")
        return clinic_queries.store_labels(self.clinic, found, intent, self.who, self.ip, reason)

    @blocking
    def undo(self, label_ids: Sequence[int]) -> tuple[int, int]:
        """Deletes these labels, putting back any label they replaced (else their messages are
        new again); how many there were, and how many earlier labels are back."""
        return clinic_queries.delete_labels(self.clinic, label_ids, self.who, self.ip, restore=True)

    @blocking
    def labels(self) -> list[dict[str, Any]]:
        return clinic_queries.labels(self.clinic)

    @blocking
    def delete_label(self, label_id: int) -> None:
        clinic_queries.delete_label(self.clinic, label_id, self.who, self.ip)
