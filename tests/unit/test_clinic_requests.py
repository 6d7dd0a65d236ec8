"""Consultation requests are stored in a real SQLite file and read back intact."""

from clinic.requests import get_request, save_request


def test_a_request_is_stored_with_its_screening_answers(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    request_id = save_request(
        url,
        {
            "sender_id": "abc",
            "name": "Maria Lopez",
            "contact": "maria@example.com",
            "contact_kind": "email",
            "preferred_time": "weekday mornings",
            "request_type": "doctor_consultation",
            "pregnant": "yes",
            "inflamed_skin": "no",
            "sunburn": "no",
            "lidocaine_allergy": "unsure",
        },
    )
    stored = get_request(url, request_id)
    assert stored["name"] == "Maria Lopez" and stored["status"] == "new"
    assert (stored["pregnant"], stored["lidocaine_allergy"]) == ("yes", "unsure")
    assert get_request(url, request_id + 1) is None


REQUEST = {
    "sender_id": "retry",
    "name": "Sam Carter",
    "contact": "613 555 0199",
    "contact_kind": "phone",
    "preferred_time": "afternoons",
    "request_type": "treatment_consultation",
    "pregnant": "no",
    "inflamed_skin": "no",
    "sunburn": "no",
    "lidocaine_allergy": None,
}


def count(url):
    import sqlalchemy as sa

    from clinic.db import engine_for
    from clinic.schema import consultation_requests

    with engine_for(url).connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(consultation_requests)).scalar()


def test_the_same_request_sent_again_is_stored_once(tmp_path):
    # a visitor retrying a turn the tracker store refused sends the same request again
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    first = save_request(url, dict(REQUEST))
    assert save_request(url, dict(REQUEST)) == first
    assert count(url) == 1


def test_a_request_that_differs_or_was_handled_is_a_new_one(tmp_path):
    from clinic.db import engine_for
    from web.staff.clinic_queries import change_status

    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    first = save_request(url, dict(REQUEST))
    second = save_request(url, {**REQUEST, "preferred_time": "mornings"})
    assert second != first
    change_status(engine_for(url), first, "contacted", "staff", "127.0.0.1")  # as the console does
    assert save_request(url, dict(REQUEST)) not in (first, second)
    assert count(url) == 3


def test_a_database_from_before_the_language_was_kept_keeps_its_rows_and_takes_it(tmp_path):
    import sqlite3

    path = tmp_path / "clinic.db"
    url = f"sqlite:///{path}"
    # the table as an earlier version created it, with a request in it
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE consultation_requests (id INTEGER PRIMARY KEY, created_at DATETIME NOT"
            " NULL, sender_id VARCHAR(255) NOT NULL, name VARCHAR(200) NOT NULL, contact"
            " VARCHAR(320) NOT NULL, contact_kind VARCHAR(10) NOT NULL, preferred_time"
            " VARCHAR(200) NOT NULL, request_type VARCHAR(40) NOT NULL, pregnant VARCHAR(10),"
            " inflamed_skin VARCHAR(10), sunburn VARCHAR(10), lidocaine_allergy VARCHAR(10),"
            " status VARCHAR(20) DEFAULT 'new' NOT NULL, status_changed_by VARCHAR(200),"
            " status_changed_at DATETIME)"
        )
        db.execute(
            "INSERT INTO consultation_requests (created_at, sender_id, name, contact, contact_kind,"
            " preferred_time, request_type) VALUES ('2026-11-01 10:00:00', 'old', 'Ann Lee',"
            " '613 555 0100', 'phone', 'mornings', 'treatment_consultation')"
        )
    new_id = save_request(url, {**REQUEST, "sender_id": "new", "language": "fr"})
    assert get_request(url, new_id)["language"] == "fr"
    old = get_request(url, 1)
    assert old["name"] == "Ann Lee" and old["language"] is None
