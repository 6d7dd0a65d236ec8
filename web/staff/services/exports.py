"""Exports: gathering a file's records (export_data.py), writing the file (exports.py) and its
audit line, with whether it was masked; what an unmasked file would hold, for its confirmation.
A file is built before its line is written, and a file whose line cannot be written is not
sent."""

from __future__ import annotations

from typing import Any, NamedTuple

from clinic.schema import DISMISSED
from web.staff import clinic_queries, export_data, exports, training_data
from web.staff.filters import Filters
from web.staff.services.base import Service, blocking

CSV = "text/csv; charset=utf-8"
JSON = "application/json; charset=utf-8"


class File(NamedTuple):
    body: str
    content_type: str


class Exports(Service):
    def _log(self, what: str, masked: bool, count: int, **extra: Any) -> None:
        detail = {"masked": masked, "count": count, **extra}
        clinic_queries.audit(self.clinic, self.who, "export", what, detail, self.ip)

    @blocking
    def pending(self) -> int:
        """The labels not exported yet, which the NLU export would hold."""
        return clinic_queries.state_counts(self.clinic)["labelled"]

    @blocking
    def count(self, kind: str, selection: dict[str, str]) -> int:
        """How many records a CSV/JSON export of `kind` would hold."""
        if kind == "requests":
            return len(clinic_queries.all_requests(self.clinic, selection["status"]))
        senders = export_data.matching_senders(self.tracker, self.clinic, selection, self.tz)
        return len(senders)

    @blocking
    def table(self, kind: str, fmt: str, selection: dict[str, str], reveal: bool) -> File:
        """A CSV or JSON export: conversations (`selection`: the list's filters), requests
        (`selection`: their status) or one row per conversation; masked unless `reveal`."""
        tz = self.tz
        if kind == "requests":
            records = export_data.request_records(self.clinic, selection["status"], reveal, tz)
        else:
            records = export_data.conversation_records(
                self.tracker, self.clinic, Filters.from_args(selection), tz, reveal
            )
        if fmt == "json":
            file = File(exports.to_json(records), JSON)
        else:
            to_csv = {
                "conversations": exports.conversations_csv,
                "conversation-summary": exports.conversation_summary_csv,
                "requests": exports.requests_csv,
            }[kind]
            file = File(to_csv(records, tz), CSV)
        self._log(f"{kind}.{fmt}", not reveal, len(records))
        return file

    @blocking
    def nlu(self, everything: bool) -> str:
        """The labels not exported yet (`everything`: every label again), as Rasa NLU YAML,
        marked exported and audited as they are taken."""
        rows = clinic_queries.take_nlu_export(self.clinic, self.who, self.ip, everything)
        return training_data.nlu_yaml(rows, skip={DISMISSED})

    @blocking
    def story(self, sender_id: str) -> str | None:
        """One conversation as a test story, None when there is no such conversation."""
        body = export_data.story(self.tracker, self.clinic, sender_id)
        if body is not None:
            self._log("story.yml", True, 1, conversation=sender_id)
        return body
