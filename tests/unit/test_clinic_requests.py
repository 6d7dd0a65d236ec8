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
