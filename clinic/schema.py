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
# What staff made of a conversation; a conversation without a review row is unread.
REVIEW_STATUSES = ("reviewed", "follow_up")

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
    # The language the visitor wrote in, "en" or "fr" (the conversation's `language` slot), so
    # staff know in which to call back; None for requests stored before it was kept.
    sa.Column("language", sa.String(2)),
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
    # view_transcript, change_status, reveal_contact, export, label, login, logout, login_failed,
    # review, tag, untag, create_tag, add_note, save_filter, delete_filter, retention, ...
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


# --- the review workflow -------------------------------------------------------------------
# Kept here rather than in the tracker store: the console never writes to Rasa's database, and
# nothing here may reach the visitor. Conversations are Rasa's sender_id; retention deletes
# these rows with their conversation (web/staff/retention.py).

conversation_reviews = sa.Table(
    "conversation_reviews",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),  # one of REVIEW_STATUSES
    sa.Column("note", sa.String(200)),  # why it needs a follow-up
    sa.Column("changed_by", sa.String(64), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)

tags = sa.Table(
    "tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(40), nullable=False),
    # The name case-folded: "Wrong answer" and "wrong answer" are one tag.
    sa.Column("name_key", sa.String(40), nullable=False, unique=True),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

conversation_tags = sa.Table(
    "conversation_tags",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id"), primary_key=True, index=True),
    sa.Column("added_by", sa.String(64), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)

conversation_notes = sa.Table(
    "conversation_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

saved_filters = sa.Table(
    "saved_filters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("query", sa.Text, nullable=False),  # the list's query string (filters.FILTER_ARGS)
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("username", "name"),
)


# What became of a label after it was made: why it was ignored (intent DISMISSED), and when it
# went out in an NLU export. A table of its own because nlu_labels already exists in deployed
# databases and create_all adds tables, never columns. A label with no row here is labelled
# (or ignored without a reason) and not exported yet.
def _of_a_label() -> sa.Column:
    """The label a row is about (one row per label; deleted with it)."""
    return sa.Column(
        "label_id",
        sa.Integer,
        sa.ForeignKey("nlu_labels.id", ondelete="CASCADE"),
        primary_key=True,
    )


def _label_state() -> list[sa.Column]:
    return [
        sa.Column("ignore_reason", sa.String(200)),
        sa.Column("exported_at", sa.DateTime(timezone=True)),
        sa.Column("exported_by", sa.String(64)),
    ]


nlu_label_states = sa.Table("nlu_label_states", metadata, _of_a_label(), *_label_state())

# The label a labelling replaced (the same message, labelled before), kept with the new label so
# that the confirmation's Undo puts it back, state and all. A table of its own, as above.
nlu_label_replaced = sa.Table(
    "nlu_label_replaced",
    metadata,
    _of_a_label(),
    sa.Column("intent", sa.String(100), nullable=False),
    sa.Column("predicted_intent", sa.String(100)),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("labelled_by", sa.String(64), nullable=False),
    sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
    *_label_state(),
)


# --- following up a consultation request ---------------------------------------------------
# What staff did about a request: notes, and the calls made (who, when, how it went). A table of
# its own, since consultation_requests exists in deployed databases and create_all adds tables,
# never columns: an existing database gains it on the next start. Retention deletes these rows
# with their request.

# A follow-up is a note, or a call with one of CALL_OUTCOMES.
FOLLOW_UP_KINDS = ("note", "call")
CALL_OUTCOMES = ("reached", "no_answer", "left_message", "wrong_number")

request_follow_ups = sa.Table(
    "request_follow_ups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "request_id",
        sa.Integer,
        sa.ForeignKey("consultation_requests.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(10), nullable=False),  # one of FOLLOW_UP_KINDS
    # When the call was made (staff may log it afterwards) or the note written.
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    # Who called (not always who logs it: a colleague's call can be logged), or the note's author.
    sa.Column("staff", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(20)),  # a call's, one of CALL_OUTCOMES; None for a note
    sa.Column("text", sa.Text),  # the note, or what was said on the call (optional there)
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)
