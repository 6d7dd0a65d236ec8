"""The audit log as the console writes and shows it: a page's line before it is shown, a line
of its own (an export), and the audit log page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web.staff import clinic_queries
from web.staff.services.base import Service, blocking


@dataclass(frozen=True)
class Viewed:
    """The audit line of a page shown to staff: what they saw (`action`), whose it was
    (`target`, as the other lines about it name it) and how they asked (`detail`)."""

    action: str
    target: str | None = None
    detail: dict[str, Any] | None = None


class AuditLog(Service):
    @blocking
    def page_shown(self, line: Viewed | None, count_new: bool) -> int | None:
        """Writes a page's line (it raises when the line cannot be written: the page is then
        not shown), and counts the new requests for the navigation's badge when asked."""
        if line is not None:
            clinic_queries.audit(
                self.clinic, self.who, line.action, line.target, line.detail, self.ip
            )
        return clinic_queries.new_request_count(self.clinic) if count_new else None

    @blocking
    def record(self, action: str, target: str | None, detail: dict[str, Any]) -> None:
        clinic_queries.audit(self.clinic, self.who, action, target, detail, self.ip)

    @blocking
    def page(self, action: str, page: int) -> dict[str, Any]:
        """A page of the log, newest first, with only `action`'s lines when one is given."""
        rows, pager, actions = clinic_queries.audit_page(self.clinic, action, page)
        return {"rows": rows, "pager": pager, "actions": actions}
