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

from actions.parsing import NO, UNSURE, YES, parse_yes_no, stated_conditions
from clinic.schema import SCREENING_SLOTS

SCREENING_FORM = "screening_form"
ANSWERS = (YES, NO, UNSURE)


def screening_answer(slot: str, tracker: Tracker) -> str | None:
    """What the latest message says about one screening slot, or None."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    stated = stated_conditions(text, message.get("entities") or [])
    if slot in stated:
        return stated[slot]
    if tracker.active_loop_name == SCREENING_FORM and tracker.get_slot("requested_slot") == slot:
        intent = (message.get("intent") or {}).get("name")
        return parse_yes_no(text, intent, slot, (message.get("screening") or {}).get(slot))
    return None


class ValidateSlotMappings(ValidationAction):
    """Extracts the screening slots (custom mappings in domain.yml)."""

    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        answer = screening_answer(slot, tracker)
        return {slot: answer} if answer is not None else {}

    def _validate(self, slot: str, value: Any) -> dict[str, Any]:
        return {slot: value if value in ANSWERS else None}

    async def extract_pregnant(self, dispatcher, tracker, domain):
        return self._extract("pregnant", tracker)

    async def extract_inflamed_skin(self, dispatcher, tracker, domain):
        return self._extract("inflamed_skin", tracker)

    async def extract_sunburn(self, dispatcher, tracker, domain):
        return self._extract("sunburn", tracker)

    async def extract_lidocaine_allergy(self, dispatcher, tracker, domain):
        return self._extract("lidocaine_allergy", tracker)

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
