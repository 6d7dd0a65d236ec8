"""Conversations: the list with each visitor's name, review and tags, a transcript with its
requests and review panel, and "next unread" through the list's filters. The tracker store
holds the conversations; the clinic database what staff and visitors added to them."""

from __future__ import annotations

from typing import Any

from web.staff import clinic_queries, review_queries, tracker_store
from web.staff.domain import domain_info
from web.staff.filters import Filters, SenderScope
from web.staff.masking import mask_names
from web.staff.plain_words import grouped
from web.staff.services.base import Missing, Service, blocking
from web.staff.transcript import build_transcript, conversation_flags, mask_transcript
from web.staff.visitors import Visitor, visitor_of, visitors

NO_CONVERSATION = "No conversation with this id (it may have been deleted by the retention policy)."


class Conversations(Service):
    @blocking
    def list_page(self, filters: Filters, page_number: int) -> dict[str, Any]:
        """A page of the list (None without a tracker store yet), the intents to filter by,
        and the tags and this staff member's saved filters."""
        senders = clinic_queries.request_senders(self.clinic)
        scope = review_queries.scope_for(self.clinic, filters)
        try:
            page = tracker_store.list_conversations(
                self.tracker, filters, senders, self.tz, page_number, scope=scope
            )
            seen = tracker_store.intents_seen(self.tracker)
        except tracker_store.TRACKER_MISSING:
            page, seen = None, []
        if page is not None:
            shown = [row["sender_id"] for row in page.rows]
            marks = review_queries.marks_for(self.clinic, shown)
            who = visitors(self.clinic, self.tracker, shown)
            for row in page.rows:
                row.update(marks[row["sender_id"]])
                row["visitor"] = who.get(row["sender_id"], Visitor())
                row["preview"] = mask_names(row["preview"], [row["visitor"].name])
        return {
            "page": page,
            "intents": grouped(sorted(domain_info()["intents"] | set(seen))),
            **review_queries.list_panel(self.clinic, self.who),
        }

    @blocking
    def transcript(self, sender_id: str, reveal: bool) -> dict[str, Any]:
        """A conversation as staff read it, its visitor's name and contact masked unless
        `reveal`, with its requests and review panel; Missing when there is none."""
        try:
            evts = tracker_store.load_events(self.tracker, sender_id)
        except tracker_store.TRACKER_MISSING:
            evts = []
        if not evts:
            raise Missing(NO_CONVERSATION)
        flags = conversation_flags(evts)
        transcript = build_transcript(evts)
        requests = clinic_queries.requests_of(self.clinic, sender_id)
        visitor = visitor_of(requests, evts)
        if not reveal:
            mask_transcript(transcript, names=[visitor.name, *(r["name"] for r in requests)])
        return {
            "flags": flags,
            "transcript": transcript,
            "requests": requests,
            "visitor": visitor,
            "panel": review_queries.review_panel(self.clinic, sender_id),
        }

    @blocking
    def next_unread(self, after: str, filters: Filters) -> str | None:
        """The unread conversation after `after` in the order of the list these filters make
        (whatever review status they asked for); None when none is left."""
        unread = filters.but(status="unread")
        senders = clinic_queries.request_senders(self.clinic)
        scope = review_queries.scope_for(self.clinic, unread) or SenderScope()
        try:
            return tracker_store.next_conversation(
                self.tracker, unread, senders, self.tz, scope, after
            )
        except tracker_store.TRACKER_MISSING:
            return None
