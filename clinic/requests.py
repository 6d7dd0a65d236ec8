"""Consultation requests: written by the action server, worked through by staff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from clinic.db import engine_for, utcnow
from clinic.schema import REQUEST_STATUSES, consultation_requests

# A turn the tracker store refused (another server stored one meanwhile, see stores/) is retried
# by the visitor after the request was already saved: the same request again within this window,
# still new, is that request, not a second one for staff to call back.
SAME_REQUEST_WINDOW = timedelta(minutes=30)


def save_request(url: str, request: dict[str, Any]) -> int:
    """Stores a consultation request and returns its id (an identical new request saved in the
    last SAME_REQUEST_WINDOW returns that request's id instead)."""
    row = dict(request)
    now = row.setdefault("created_at", utcnow())
    columns = consultation_requests.c
    with engine_for(url).begin() as conn:
        same = conn.execute(
            sa.select(columns.id).where(
                *(columns[key] == value for key, value in request.items() if key != "created_at"),
                columns.status == REQUEST_STATUSES[0],
                columns.created_at >= now - SAME_REQUEST_WINDOW,
            )
        ).scalar()
        if same is not None:
            return int(same)
        result = conn.execute(consultation_requests.insert().values(**row))
        return int(result.inserted_primary_key[0])


def get_request(url: str, request_id: int) -> dict[str, Any] | None:
    with engine_for(url).connect() as conn:
        row = (
            conn.execute(
                sa.select(consultation_requests).where(consultation_requests.c.id == request_id)
            )
            .mappings()
            .first()
        )
        return dict(row) if row else None
