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
