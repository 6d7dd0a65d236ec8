"""Consultation requests: written by the action server, worked through by staff."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from clinic.db import engine_for, utcnow
from clinic.schema import consultation_requests


def save_request(url: str, request: dict[str, Any]) -> int:
    """Stores a consultation request and returns its id."""
    row = dict(request)
    row.setdefault("created_at", utcnow())
    with engine_for(url).begin() as conn:
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
