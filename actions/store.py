"""Consultation requests: the one table the assistant writes and the staff console works from.

SQLAlchemy Core so the same code runs on the SQLite file used on one machine and on PostgreSQL
when several servers share a database; the URL comes from CLINIC_DB_URL.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

import sqlalchemy as sa

DEFAULT_DB_URL = "sqlite:///var/clinic.db"

metadata = sa.MetaData()

consultation_requests = sa.Table(
    "consultation_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # The tracker store's sender_id, so staff can open the conversation behind a request.
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("contact", sa.String(320), nullable=False),
    sa.Column("contact_kind", sa.String(10), nullable=False),  # "email" | "phone"
    sa.Column("preferred_time", sa.String(200), nullable=False),
    # "treatment_consultation" when screening was all clear; "doctor_consultation" when a
    # contraindication (or an unsure answer) means the doctor should see the visitor first.
    sa.Column("request_type", sa.String(40), nullable=False),
    # Screening answers: "yes" | "no" | "unsure" (None when never asked).
    sa.Column("pregnant", sa.String(10)),
    sa.Column("inflamed_skin", sa.String(10)),
    sa.Column("sunburn", sa.String(10)),
    sa.Column("lidocaine_allergy", sa.String(10)),
    sa.Column("status", sa.String(20), nullable=False, server_default="new"),  # new|contacted|closed
    sa.Column("status_changed_by", sa.String(200)),
    sa.Column("status_changed_at", sa.DateTime(timezone=True)),
)

SCREENING_SLOTS = ("pregnant", "inflamed_skin", "sunburn", "lidocaine_allergy")


def database_url() -> str:
    return os.environ.get("CLINIC_DB_URL", DEFAULT_DB_URL)


@lru_cache(maxsize=None)
def engine_for(url: str) -> sa.engine.Engine:
    """One engine per URL, tables created on first use (idempotent)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////:memory:"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    metadata.create_all(engine)
    return engine


def save_request(url: str, request: Dict[str, Any]) -> int:
    """Stores a consultation request and returns its id."""
    row = dict(request)
    row.setdefault("created_at", datetime.now(timezone.utc))
    with engine_for(url).begin() as conn:
        result = conn.execute(consultation_requests.insert().values(**row))
        return int(result.inserted_primary_key[0])


def get_request(url: str, request_id: int) -> Optional[Dict[str, Any]]:
    with engine_for(url).connect() as conn:
        row = conn.execute(
            sa.select(consultation_requests).where(consultation_requests.c.id == request_id)
        ).mappings().first()
        return dict(row) if row else None
