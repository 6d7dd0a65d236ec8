"""Contraindication screening before a consultation request.

The four screening slots are filled here, after every visitor message (Rasa runs
action_validate_slot_mappings from action_extract_slots): from the answer to the question the
screening form just asked, and from facts a visitor states at any time ("I'm pregnant, can I
book?"), so nothing is asked twice. A message that answers nothing (a question, say) fills no
slot, the form lets the rules answer it, then asks again.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.answers import answers_per_question, utter_answers
from actions.consultation import is_interruption
from actions.parsing import NO, UNSURE, YES, stated_conditions
from clinic.schema import SCREENING_SLOTS
from understanding.answers import split_questions
from understanding.reading import READING_KEY
from understanding.screening import UNCLEAR, answering, from_dict, read_answer

SCREENING_FORM = "screening_form"
ANSWERS = (YES, NO, UNSURE)


# Intents a rule answers in the form's stead (data/rules.yml): an unclear answer there is
# explained by the rule, not here.
_EXPLAINED_BY_A_RULE = {"nlu_fallback", "inform"}


def screening_answer(slot: str, tracker: Tracker) -> tuple[str | None, bool]:
    """What the latest message says about one screening slot (or None), and whether the visitor
    should be asked again because what they said is no clear answer to it ("it's november")."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    # The NLU pipeline read the message once (nlp/reading.py); a model without that reader
    # leaves it to be read here.
    stored = from_dict(((message.get(READING_KEY) or {}).get("screening") or {}).get(slot))
    stated = stated_conditions(text, message.get("entities") or [])
    if slot in stated and stated[slot] != NO:
        # a doubt the reader found beside it stays a doubt ("what counts, i'm trying to
        # conceive"): not sure is as cautious as yes, and truer
        doubted = stored is not None and stored.value == UNSURE
        return (UNSURE if doubted else stated[slot]), False
    if slot in stated:
        # A fact stated as a no ("I'm not pregnant, can I book?") stands only when the
        # screening reader reads a no too: "i can't say i'm not, 14 weeks" is no no.
        confirmed = stored or read_answer(text, slot)
        if confirmed.value in (YES, NO, UNSURE):
            return confirmed.value, False
    if tracker.active_loop_name != SCREENING_FORM or tracker.get_slot("requested_slot") != slot:
        return None, False
    intent, by_meaning = answering(
        text,
        (message.get("intent") or {}).get("name"),
        (message.get("screening") or {}).get(slot),
    )
    answer = stored or read_answer(text, slot, intent, by_meaning)
    if answer.value != UNCLEAR:
        return answer.value, False
    said_something = bool(answer.rules) and intent not in _EXPLAINED_BY_A_RULE
    return None, said_something and not is_interruption(tracker)


class ValidateSlotMappings(ValidationAction):
    """Extracts the screening slots (custom mappings in domain.yml)."""

    def _extract(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        answer, ask_again = screening_answer(slot, tracker)
        if ask_again:
            # "It's november" makes a no likely, not certain: the question is asked again.
            dispatcher.utter_message(response="utter_screening_check")
            return {slot: None}
        return {slot: answer} if answer is not None else {}

    def _validate(self, slot: str, value: Any) -> dict[str, Any]:
        return {slot: value if value in ANSWERS else None}

    async def extract_pregnant(self, dispatcher, tracker, domain):
        return self._extract("pregnant", dispatcher, tracker)

    async def extract_inflamed_skin(self, dispatcher, tracker, domain):
        return self._extract("inflamed_skin", dispatcher, tracker)

    async def extract_sunburn(self, dispatcher, tracker, domain):
        return self._extract("sunburn", dispatcher, tracker)

    async def extract_lidocaine_allergy(self, dispatcher, tracker, domain):
        return self._extract("lidocaine_allergy", dispatcher, tracker)

    async def validate_pregnant(self, value, dispatcher, tracker, domain):
        return self._validate("pregnant", value)

    async def validate_inflamed_skin(self, value, dispatcher, tracker, domain):
        return self._validate("inflamed_skin", value)

    async def validate_sunburn(self, value, dispatcher, tracker, domain):
        return self._validate("sunburn", value)

    async def validate_lidocaine_allergy(self, value, dispatcher, tracker, domain):
        return self._validate("lidocaine_allergy", value)


def screening_flags(slots: dict[str, Any]) -> dict[str, list[str]]:
    """{"yes": [slots answered yes], "unsure": [...]} in the order the questions are asked."""
    return {
        answer: [s for s in SCREENING_SLOTS if slots.get(s) == answer] for answer in (YES, UNSURE)
    }


class ActionScreeningOutcome(Action):
    """Explains the screening result. Any contraindication, or an answer the visitor was unsure
    of, means no treatment is planned: the doctor is offered instead (see data/rules.yml)."""

    def name(self) -> str:
        return "action_screening_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        flags = screening_flags({slot: tracker.get_slot(slot) for slot in SCREENING_SLOTS})
        if not flags[YES] and not flags[UNSURE]:
            dispatcher.utter_message(response="utter_screening_clear")
            dispatcher.utter_message(response="utter_prep_reminder")
            return [SlotSet("screening_result", "clear")]
        for slot in flags[YES]:
            dispatcher.utter_message(response=f"utter_screening_flag_{slot}")
        for slot in flags[UNSURE]:
            dispatcher.utter_message(response=f"utter_screening_unsure_{slot}")
        return [SlotSet("screening_result", "contraindicated")]


class ActionScreeningIntro(Action):
    """Starts a consultation request: answers first a question asked beside it ("does it hurt,
    and can I book for next week?"), then says what the screening is for."""

    def name(self) -> str:
        return "action_screening_intro"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        reading = message.get(READING_KEY) or {}
        questions = reading.get("questions") or split_questions(message.get("text") or "")
        if len(questions) >= 2:
            answers = await answers_per_question(questions) or []
            beside = [a for a in answers if a.response not in _NOT_AN_ANSWER_BESIDE_BOOKING]
            utter_answers(dispatcher, beside, tracker.get_slot("language"))
        dispatcher.utter_message(response="utter_screening_intro")
        return []


# Answers that repeat the request or offer it again: the screening that follows is the answer.
_NOT_AN_ANSWER_BESIDE_BOOKING = {"utter_opening_hours", "utter_contact_details", "utter_clinic"}
