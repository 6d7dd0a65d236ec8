"""The dashboard's figures over the last days, from both databases, with their charts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from web.staff import charts, clinic_queries, review_queries, tracker_store
from web.staff.plain_words import intent_name
from web.staff.services.base import Service, blocking


class Dashboard(Service):
    @blocking
    def figures(self, days: int) -> dict[str, Any]:
        """What the dashboard shows of the last `days` days, today included, in the staff's
        time zone. Without a tracker store yet, only the clinic database's figures."""
        tz = self.tz
        today = datetime.now(tz).date()
        first = today - timedelta(days=days - 1)
        since = datetime.combine(first, datetime.min.time(), tzinfo=tz).timestamp()
        next_day = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        senders = clinic_queries.request_senders(self.clinic)
        by_review = review_queries.review_senders(self.clinic)
        try:
            stats = tracker_store.dashboard_stats(
                self.tracker, since, next_day.timestamp(), senders, tz
            )
            reviews = tracker_store.review_counts(self.tracker, since, by_review)
        except tracker_store.TRACKER_MISSING:
            stats, reviews = None, None
        by_status = clinic_queries.status_counts(self.clinic)
        chart_days = chart_intents = None
        if stats:
            chart_days = charts.bar_chart(
                stats["per_day"], f"Conversations per day, last {days} days"
            )
            # by readable name, each with its id for the link to the conversations
            stats["top_intents"] = [
                (intent_name(name) if name != "(none)" else "No intent", count, name)
                for name, count in stats["top_intents"]
            ]
            chart_intents = charts.hbar_chart(
                [(name, n) for name, n, _ in stats["top_intents"]], "Top intents"
            )
        return {
            "stats": stats,
            "by_status": by_status,
            "chart_days": chart_days,
            "chart_intents": chart_intents,
            "reviews": reviews,
            "first": first.isoformat(),
            "tag_counts": review_queries.tag_counts(self.clinic),
        }
