"""Consultation requests: the queue, a request with its follow-up (notes and calls), and the
changes staff make to one (status, a note, a call), each audited (clinic_queries, follow_ups)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic.db import utcnow
from clinic.requests import get_request
from web.staff import clinic_queries, follow_ups
from web.staff.services.base import Missing, Service, blocking
from web.staff.tracker_store import names_given
from web.staff.visitors import LANGUAGE_SLOT

NO_SUCH_REQUEST = "No such consultation request."


class Requests(Service):
    def _request(self, request_id: int) -> dict[str, Any]:
        row = get_request(self.settings.clinic_db_url, request_id)
        if row is None:
            raise Missing(NO_SUCH_REQUEST)
        return row

    @blocking
    def queue(self, status: str, page: int, saved_id: int | None) -> dict[str, Any]:
        """A page of the queue ("all" or one status), with the count per status, and the
        request whose status was just saved (`saved_id`), for the confirmation."""
        rows, counts, pager = clinic_queries.requests_page(self.clinic, status, page)
        # whom to call in which language: the request's own, else (a request stored before it
        # was kept) the conversation's, from the tracker's `language` slot
        older = [r["sender_id"] for r in rows if not r.get("language")]
        spoken = names_given(self.tracker, older, LANGUAGE_SLOT) if older else {}
        rows = [
            {**r, "language": r.get("language") or spoken.get(r["sender_id"], "en")} for r in rows
        ]
        saved = None if saved_id is None else get_request(self.settings.clinic_db_url, saved_id)
        return {"rows": rows, "counts": counts, "pager": pager, "saved": saved}

    @blocking
    def request(self, request_id: int) -> dict[str, Any]:
        """A request and its notes and calls, newest first."""
        row = self._request(request_id)
        return {"row": row, "history": follow_ups.follow_ups_of(self.clinic, request_id)}

    @blocking
    def change_status(self, request_id: int, status: str) -> None:
        old = clinic_queries.change_status(self.clinic, request_id, status, self.who, self.ip)
        if old is None:
            raise Missing(NO_SUCH_REQUEST)

    @blocking
    def add_note(self, request_id: int, text: str) -> None:
        if follow_ups.add_note(self.clinic, request_id, text, self.who, self.ip) is None:
            raise Missing(NO_SUCH_REQUEST)

    @blocking
    def log_call(self, request_id: int, form: Mapping[str, Any]) -> None:
        """Logs the call the form describes; BadInput, saying what to fix, when it cannot be
        (a call before the request was received, for one)."""
        row = self._request(request_id)
        call = follow_ups.read_call(form, self.tz, utcnow(), row["created_at"])
        if follow_ups.log_call(self.clinic, request_id, call, self.who, self.ip) is None:
            raise Missing(NO_SUCH_REQUEST)
