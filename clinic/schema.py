"""Every table of the clinic database, on one MetaData, and the values its columns take.

SQLAlchemy Core, so the same code runs on the SQLite file of one machine and on PostgreSQL
when several servers share a database. Times are stored in UTC.
"""

from __future__ import annotations

import sqlalchemy as sa

# The four screening questions, as slot names (domain.yml) and request columns.
SCREENING_SLOTS = ("pregnant", "inflamed_skin", "sunburn", "lidocaine_allergy")
# What a screening answer is stored as; None when the question was never asked.
SCREENING_ANSWERS = ("yes", "no", "unsure")
# A request's place in the staff queue.
REQUEST_STATUSES = ("new", "contacted", "closed")
# "treatment_consultation" when screening was all clear; "doctor_consultation" when a
# contraindication (or an unsure answer) means the doctor should see the visitor first.
REQUEST_TYPES = ("treatment_consultation", "doctor_consultation")
# The label a staff member gives a not-understood message that needs no training example.
DISMISSED = "__dismissed__"

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
    sa.Column("request_type", sa.String(40), nullable=False),  # one of REQUEST_TYPES
    *(sa.Column(slot, sa.String(10)) for slot in SCREENING_SLOTS),  # SCREENING_ANSWERS
    sa.Column("status", sa.String(20), nullable=False, server_default=REQUEST_STATUSES[0]),
    sa.Column("status_changed_by", sa.String(200)),
    sa.Column("status_changed_at", sa.DateTime(timezone=True)),
)

# The columns of a request, in table order (exports list them in this order).
REQUEST_COLUMNS = tuple(column.name for column in consultation_requests.columns)

staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # SHA-256 of the cookie's random token: a copy of the table does not log anyone in.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("ip", sa.String(64)),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False),
    # view_transcript, change_status, reveal_contact, export, label, login, logout, login_failed
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("target", sa.String(255)),
    sa.Column("detail", sa.Text),  # JSON
    sa.Column("ip", sa.String(64)),
)

nlu_labels = sa.Table(
    "nlu_labels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # The message with emails and phone numbers replaced by fictitious ones (pseudonymised).
    sa.Column("text", sa.Text, nullable=False),
    # SHA-256 of the original message, normalised: recognises messages already labelled
    # without keeping their original wording.
    sa.Column("text_key", sa.String(64), nullable=False, unique=True),
    # An intent of domain.yml, "out_of_scope", or DISMISSED (not exported).
    sa.Column("intent", sa.String(100), nullable=False),
    sa.Column("predicted_intent", sa.String(100)),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("labelled_by", sa.String(64), nullable=False),
    sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
)

login_failures = sa.Table(
    "staff_login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
)
