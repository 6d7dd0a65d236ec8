"""The clinic profile: read from its file and the environment, empty by default, and used only
where the clinic has given the fact."""

from __future__ import annotations

import os

import pytest

from actions.clinic_profile import ROOT, load_profile, with_profile
from understanding.answers import Answer


@pytest.fixture
def profile_file(tmp_path, monkeypatch):
    path = tmp_path / "clinic.yml"
    monkeypatch.setenv("CLINIC_PROFILE", str(path))
    for name in ("NAME", "PHONE", "EMAIL", "HOURS", "ADDRESS", "REPLY_TIME"):
        monkeypatch.delenv(f"CLINIC_{name}", raising=False)
    return path


def test_the_example_profile_is_empty(monkeypatch, profile_file):
    monkeypatch.setenv("CLINIC_PROFILE", str(ROOT / "clinic.example.yml"))
    assert not any(vars(load_profile()).values())


def test_no_file_is_an_empty_profile_and_the_articles_answers_stay(profile_file):
    answers = [Answer("utter_opening_hours"), Answer("utter_warning_signs")]
    assert with_profile(answers, load_profile()) == answers


def test_the_file_gives_the_facts_and_the_environment_wins(profile_file, monkeypatch):
    profile_file.write_text("phone: 613-555-0100\nhours: Mon-Fri 9-5\nemail: a@b.example\n")
    monkeypatch.setenv("CLINIC_PHONE", "819-555-0199")
    profile = load_profile()
    assert profile.phone == "819-555-0199" and profile.hours == "Mon-Fri 9-5"
    assert profile.contact == "819-555-0199 or a@b.example"


def test_a_broken_profile_is_ignored_not_a_crash(profile_file):
    profile_file.write_text("phone: [unclosed\n")
    assert load_profile().phone == ""
    profile_file.write_bytes(b"\xff\xfe phone")
    assert load_profile().phone == ""


def test_the_profile_replaces_only_what_it_knows(profile_file):
    profile_file.write_text("phone: 613-555-0100\n")
    answers = with_profile(
        [Answer("utter_opening_hours"), Answer("utter_contact_details")], load_profile()
    )
    assert [a.response for a in answers] == ["utter_opening_hours", "utter_contact_details_profile"]
    assert answers[1].kwargs["clinic_contact"] == "613-555-0100"


def test_a_warning_sign_is_followed_by_the_clinics_phone(profile_file):
    profile_file.write_text("phone: 613-555-0100\n")
    answers = with_profile([Answer("utter_warning_signs")], load_profile())
    assert [a.response for a in answers] == ["utter_warning_signs", "utter_call_clinic"]


def test_an_edit_of_the_file_is_read_without_a_restart_and_only_then(profile_file):
    profile_file.write_text("phone: 613-555-0100\n")
    assert load_profile().phone == "613-555-0100"
    profile_file.write_text("phone: 613-555-0199\n")  # the same size: its time tells
    os.utime(profile_file, ns=(1, profile_file.stat().st_mtime_ns + 1_000_000))
    assert load_profile().phone == "613-555-0199"
    # Changed behind the reader's back, same size and time: the file is not read again.
    seen = profile_file.stat()
    profile_file.write_text("phone: 613-555-0188\n")
    os.utime(profile_file, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    assert load_profile().phone == "613-555-0199"
