"""Deletes conversations and consultation requests older than the retention period.

    python -m web.staff.retention              # RETENTION_DAYS (default 365)
    python -m web.staff.retention --days 90 --dry-run

A conversation (all events of a sender_id) is deleted when its last event is older than the
cutoff, and with it what staff kept about it in the clinic database (its review status, tags
and notes); a consultation request when it was created before the cutoff, with its notes and
call log. Each database is changed in one transaction, the clinic database's first: if the run
stops between the two, the conversation is still there and the next run deletes it, rather than
its notes outliving it.
Running it again removes nothing more: safe on a schedule (cron, a systemd timer). This is
the one place that writes to Rasa's tracker store, with its own engine. Expired staff sessions
and old login failures are cleaned up too; the audit log is kept (and records each run that
deleted something).

Databases: TRACKER_DB_URL (default sqlite:///var/tracker.db), CLINIC_DB_URL
(default sqlite:///var/clinic.db).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from clinic.db import engine_for
from clinic.schema import (
    consultation_requests,
    login_failures,
    request_follow_ups,
    staff_sessions,
)
from web.settings import Settings
from web.staff.auth import FAILURE_WINDOW
from web.staff.clinic_queries import audit
from web.staff.review_queries import forget_conversations
from web.staff.tracker_store.retention import old_senders, purge_tracker


def purge_clinic(
    url: str, cutoff: datetime, dry_run: bool, senders: list[str] | None = None
) -> dict[str, int]:
    """Old requests, expired sessions and login failures, and the reviews, tags and notes of
    the conversations `senders` (those retention deletes from the tracker store)."""
    engine = engine_for(url)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        old = consultation_requests.c.created_at < cutoff
        n_requests = conn.execute(
            sa.select(sa.func.count()).select_from(consultation_requests).where(old)
        ).scalar_one()
        n_kept = forget_conversations(conn, senders or [], dry_run)
        if not dry_run:
            # A request's notes and calls first: they may name the visitor, and PostgreSQL
            # refuses to leave them without their request.
            old_ids = sa.select(consultation_requests.c.id).where(old)
            conn.execute(
                request_follow_ups.delete().where(request_follow_ups.c.request_id.in_(old_ids))
            )
            conn.execute(consultation_requests.delete().where(old))
            conn.execute(staff_sessions.delete().where(staff_sessions.c.expires_at < now))
            conn.execute(login_failures.delete().where(login_failures.c.at < now - FAILURE_WINDOW))
    return {"requests": int(n_requests), "review_rows": int(n_kept)}


def run(
    days: int, tracker_url: str, clinic_url: str, dry_run: bool = False, now: float | None = None
) -> dict[str, int]:
    if days < 1:
        raise ValueError("--days must be at least 1")
    now = time.time() if now is None else now
    cutoff = now - days * 86400
    senders = old_senders(tracker_url, cutoff)
    clinic = purge_clinic(
        clinic_url, datetime.fromtimestamp(cutoff, timezone.utc), dry_run, senders
    )
    result = purge_tracker(tracker_url, cutoff, dry_run)
    result.update(clinic)
    if not dry_run and (result["conversations"] or result["requests"] or result["review_rows"]):
        with engine_for(clinic_url).begin() as conn:
            audit(conn, "(retention)", "retention", f"{days} days", dict(result))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m web.staff.retention",
        description="Delete conversations and consultation requests older than N days.",
    )
    settings = Settings.from_env(secret=False)
    parser.add_argument(
        "--days",
        type=int,
        default=settings.retention_days,
        help="retention period in days (default: RETENTION_DAYS or 365)",
    )
    parser.add_argument("--dry-run", action="store_true", help="only count what would go")
    args = parser.parse_args(argv)
    try:
        result = run(args.days, settings.tracker_db_url, settings.clinic_db_url, args.dry_run)
    except ValueError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    cutoff = datetime.now(timezone.utc) - timedelta(days=args.days)
    verb = "Would delete" if args.dry_run else "Deleted"
    print(
        f"{verb} {result['conversations']} conversation(s) ({result['events']} events) and "
        f"{result['requests']} consultation request(s) (with their notes and calls) older than "
        f"{args.days} days "
        f"(before {cutoff:%Y-%m-%d %H:%M} UTC), with {result['review_rows']} review(s), "
        "tag(s) and note(s) staff kept on those conversations."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
