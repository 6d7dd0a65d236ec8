"""The review workflow's changes: a conversation's review status, tags and notes (kept only for
a conversation the tracker store holds), and each staff member's saved filters. Every change
writes its audit line in its own transaction (review_queries)."""

from __future__ import annotations

from web.staff import review_queries, tracker_store
from web.staff.inputs import BadInput
from web.staff.services.base import Missing, Service, blocking
from web.staff.services.conversations import NO_CONVERSATION


class Reviews(Service):
    def _existing(self, sender_id: str) -> str:
        """The conversation's id, once the tracker store is seen to hold it; Missing if not."""
        try:
            found = bool(sender_id) and tracker_store.conversation_exists(self.tracker, sender_id)
        except tracker_store.TRACKER_MISSING:
            found = False
        if not found:
            raise Missing(NO_CONVERSATION)
        return sender_id

    @blocking
    def set_review(self, sender_id: str, status: str | None, note: str) -> None:
        sender_id = self._existing(sender_id)
        review_queries.set_review(self.clinic, sender_id, status, note, self.who, self.ip)

    @blocking
    def add_tag(self, sender_id: str, typed: str) -> None:
        sender_id = self._existing(sender_id)
        if review_queries.add_tag(self.clinic, sender_id, typed, self.who, self.ip) is None:
            raise BadInput("Type the tag's name.")

    @blocking
    def remove_tag(self, sender_id: str, tag_id: int) -> None:
        review_queries.remove_tag(self.clinic, sender_id, tag_id, self.who, self.ip)

    @blocking
    def add_note(self, sender_id: str, text: str) -> None:
        sender_id = self._existing(sender_id)
        if review_queries.add_note(self.clinic, sender_id, text, self.who, self.ip) is None:
            raise BadInput("The note was empty.")

    @blocking
    def save_filter(self, name: str, query: str) -> None:
        if review_queries.save_filter(self.clinic, self.who, name, query, self.ip) is None:
            raise BadInput("Give the filters a name.")

    @blocking
    def delete_filter(self, filter_id: int) -> None:
        review_queries.delete_filter(self.clinic, self.who, filter_id, self.ip)
