"""The domain says only what the article says, and every response can be reached."""

import re
from pathlib import Path

import yaml

from actions.consultation import WHICH_DETAIL
from nlp.build_pipeline import load_vocabulary
from understanding.subjects import LABEL_PREFIX, NOT_LISTED, TOPICS

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
RESPONSES = DOMAIN["responses"]
TEXTS = {
    name: " ".join(v.get("text", "") for v in variants) for name, variants in RESPONSES.items()
}


def test_no_response_invents_a_price_phone_number_or_opening_hours():
    for name, text in TEXTS.items():
        assert not re.search(r"[$€£]\s?\d|\d+\s?(dollars|cad)", text, re.I), name
        assert not re.search(r"\d{3}[\s.-]\d{3}[\s.-]\d{4}", text), name
        assert not re.search(r"\b\d{1,2}\s?(am|pm)\b|\bopen (from|until|at)\b", text, re.I), name


def test_numbers_in_answers_are_the_articles_numbers():
    allowed = {"45", "72", "48", "24", "911"}
    for name, text in TEXTS.items():
        for number in re.findall(r"\b\d+\b", re.sub(r"\{\w+\}", "", text)):
            assert number in allowed, f"{name}: {number}"


def test_safety_answers_send_people_to_a_doctor_or_911_and_never_say_normal():
    assert re.search(r"contact the clinic or a doctor", TEXTS["utter_warning_signs"])
    assert "911" in TEXTS["utter_emergency"]
    for name in ("utter_warning_signs", "utter_emergency"):
        assert not re.search(r"\bnormal\b", TEXTS[name], re.I)


def test_every_response_is_reachable():
    used = set()
    for path in [ROOT / "data" / "rules.yml", ROOT / "data" / "stories.yml"]:
        used |= set(re.findall(r"\butter_\w+", path.read_text()))
    actions_code = "\n".join(
        p.read_text()
        for p in [*(ROOT / "actions").glob("*.py"), *(ROOT / "understanding").glob("*.py")]
    )
    used |= set(re.findall(r"\"(utter_\w+)\"", actions_code))
    used |= {general for general, _ in TOPICS.values()} | set(NOT_LISTED.values())
    used.add("utter_default")  # said by Rasa's own action_default_fallback
    used |= {
        f"utter_ask_{slot}" for form in DOMAIN["forms"].values() for slot in form["required_slots"]
    } | {f"utter_ask_{WHICH_DETAIL}"}
    prefixes = {prefix for _, prefix in TOPICS.values()} | set(LABEL_PREFIX.values())
    prefixes |= {"utter_screening_flag", "utter_screening_unsure"}
    ids = {i for entries in load_vocabulary().values() for i in entries}
    ids |= {"pregnant", "inflamed_skin", "sunburn", "lidocaine_allergy"}
    for name in RESPONSES:
        reachable = name in used or any(name == f"{p}_{i}" for p in prefixes for i in ids)
        assert reachable, f"{name} is never used"
