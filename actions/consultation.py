"""Collecting the visitor's contact details and handing the request to the clinic."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.parsing import parse_contact, parse_name, parse_preferred_time
from actions.settings import Settings
from clinic.requests import save_request
from clinic.schema import SCREENING_SLOTS
from understanding.answers import TOPICS
from understanding.consent import HOLD, SEND, read_consent, read_detail
from understanding.reading import READING_KEY
from understanding.screening import from_dict

logger = logging.getLogger(__name__)

# Asked by the contact form only after "No, change it" (see required_slots).
WHICH_DETAIL = "detail_to_change"
CONTACT_SLOTS = (
    "name",
    "contact",
    "contact_kind",
    "preferred_time",
    "contact_confirmed",
    "detail_to_change",
)


# Intents that mean "this is not an answer but something else": a question, a stop, a booking.
NOT_AN_ANSWER = set(TOPICS) | {
    "stop",
    "book_consultation",
    "talk_to_human",
    "ask_request_status",
    "report_warning_signs",
    "report_emergency",
    "bot_challenge",
}
# Below this confidence a message that doesn't look like an answer is still treated as one (and
# explained), rather than answered as a question the visitor probably didn't ask.
INTERRUPTION_CONFIDENCE = 0.6


def is_interruption(tracker: Tracker) -> bool:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return (
        intent.get("name") in NOT_AN_ANSWER
        and intent.get("confidence", 0) >= INTERRUPTION_CONFIDENCE
    )


class ValidateContactForm(FormValidationAction):
    """Reads each answer by its shape; a wrong one is asked again with the reason, and a
    question asked instead of an answer is left to the rules (answered, then asked again)."""

    def name(self) -> str:
        return "validate_contact_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        # After "No, change it" (contact_confirmed False) the form asks which detail to change
        # before it asks for confirmation again, so it can never end on a no.
        if tracker.get_slot("contact_confirmed") is False:
            return [*domain_slots[:-1], WHICH_DETAIL, domain_slots[-1]]
        return domain_slots

    def _answer_to(self, slot: str, tracker: Tracker) -> str | None:
        """The visitor's text when it answers `slot`, None when the form asked something else."""
        if tracker.get_slot("requested_slot") != slot:
            return None
        return (tracker.latest_message or {}).get("text") or ""

    def _read(
        self,
        slot: str,
        parser: Callable[[str], str | None],
        invalid: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        """The slot from an answer of the right shape; a question asked instead is left to the
        rules; anything else is explained (`invalid`) and asked again."""
        text = self._answer_to(slot, tracker)
        if text is None:
            return {}
        value = parser(text)
        if is_interruption(tracker) and (value is None or slot == "preferred_time"):
            return {}  # any text reads as a time, so a confident question wins there
        if value is None:
            dispatcher.utter_message(response=invalid)
        return {slot: value}

    async def extract_name(self, dispatcher, tracker, domain):
        return self._read("name", parse_name, "utter_invalid_name", dispatcher, tracker)

    async def extract_contact(self, dispatcher, tracker, domain):
        return self._read(
            "contact",
            lambda text: (parse_contact(text) or (None, None))[1],
            "utter_invalid_contact",
            dispatcher,
            tracker,
        )

    async def extract_preferred_time(self, dispatcher, tracker, domain):
        return self._read(
            "preferred_time",
            parse_preferred_time,
            "utter_invalid_preferred_time",
            dispatcher,
            tracker,
        )

    async def extract_contact_confirmed(self, dispatcher, tracker, domain):
        text = self._answer_to("contact_confirmed", tracker)
        if text is None:
            return {}
        # Personal details go only on an explicit yes: "hmm" or "ok?" asks again.
        reading = ((tracker.latest_message or {}).get(READING_KEY) or {}).get("consent")
        answer = (from_dict(reading) or read_consent(text)).value
        if answer in (SEND, HOLD):
            return {"contact_confirmed": answer == SEND}
        if is_interruption(tracker):
            return {}
        dispatcher.utter_message(response="utter_answer_yes_no_confirm")
        return {"contact_confirmed": None}

    async def extract_detail_to_change(self, dispatcher, tracker, domain):
        text = self._answer_to("detail_to_change", tracker)
        if text is None:
            return {}
        detail = read_detail(text)
        if detail is None:
            if is_interruption(tracker):
                return {}
            dispatcher.utter_message(response="utter_invalid_detail_to_change")
        return {"detail_to_change": detail.value if detail else None}

    async def validate_detail_to_change(self, value, dispatcher, tracker, domain):
        if not value:
            return {"detail_to_change": None}
        dispatcher.utter_message(response="utter_change_detail")
        return _cleared(value)

    async def validate_name(self, value, dispatcher, tracker, domain):
        return {"name": value}

    async def validate_contact(self, value, dispatcher, tracker, domain):
        # contact_kind is not a form slot, so it is set here, where the SDK keeps it.
        parsed = parse_contact(value) if value else None
        return {"contact": value, "contact_kind": parsed[0] if parsed else None}

    async def validate_preferred_time(self, value, dispatcher, tracker, domain):
        return {"preferred_time": value}

    async def validate_contact_confirmed(self, value, dispatcher, tracker, domain):
        if value is False:
            # "the phone number is wrong" changes that one detail; a bare "no" asks which.
            detail = read_detail((tracker.latest_message or {}).get("text") or "")
            if detail is not None:
                dispatcher.utter_message(response="utter_change_detail")
                return _cleared(detail.value)
        return {"contact_confirmed": value, "detail_to_change": None}


def _cleared(detail: str) -> dict[str, Any]:
    """Forgets one contact detail (so the form asks it again) and the confirmation."""
    cleared = {detail: None, "contact_confirmed": None, "detail_to_change": None}
    if detail == "contact":
        cleared["contact_kind"] = None
    return cleared


def reset_booking(tracker: Tracker) -> list[dict[str, Any]]:
    """Forgets a booking in progress. Screening answers are facts about the visitor and stay for
    the conversation; so do the details of a request already sent, which follow-ups quote."""
    if tracker.get_slot("request_sent"):
        return [SlotSet("contact_confirmed", None), SlotSet("detail_to_change", None)]
    return [SlotSet(slot, None) for slot in CONTACT_SLOTS]


# What a stored request says the visitor answered: each must have been set in the conversation.
ANSWERED_SLOTS = (*SCREENING_SLOTS, "name", "contact", "preferred_time")


def not_given_in_conversation(events: list[dict[str, Any]], slots: dict[str, Any]) -> list[str]:
    """The slots whose value no SlotSet after a visitor's message set: a request is stored only
    from answers the conversation itself holds, whatever slot values a caller sends."""
    seen_user = False
    given: set = set()
    for event in events:
        if event.get("event") == "user":
            seen_user = True
        elif event.get("event") == "slot" and seen_user:
            given.add((event.get("name"), str(event.get("value"))))
    return [
        slot
        for slot in ANSWERED_SLOTS
        if slots.get(slot) is None or (slot, str(slots.get(slot))) not in given
    ]


class ActionSubmitConsultationRequest(Action):
    """Stores the request with the screening answers, then tells the visitor what happens next.
    A contraindication makes it a consultation with the doctor, never a needling booking."""

    def name(self) -> str:
        return "action_submit_consultation_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("contact_confirmed") is not True:
            # Only an explicit yes sends personal details, whatever path led here.
            logger.warning("Refused a request of %s: not confirmed", tracker.sender_id)
            dispatcher.utter_message(response="utter_request_failed")
            return []
        missing = not_given_in_conversation(
            tracker.events, {slot: tracker.get_slot(slot) for slot in ANSWERED_SLOTS}
        )
        if missing:
            logger.warning(
                "Refused a request of %s: %s not answered in the conversation",
                tracker.sender_id,
                ", ".join(missing),
            )
            dispatcher.utter_message(response="utter_request_failed")
            return []
        doctor = tracker.get_slot("screening_result") != "clear"
        request = {
            "sender_id": tracker.sender_id,
            "name": tracker.get_slot("name"),
            "contact": tracker.get_slot("contact"),
            "contact_kind": tracker.get_slot("contact_kind") or "unknown",
            "preferred_time": tracker.get_slot("preferred_time"),
            "request_type": "doctor_consultation" if doctor else "treatment_consultation",
            **{slot: tracker.get_slot(slot) for slot in SCREENING_SLOTS},
            "language": tracker.get_slot("language") or "en",
        }
        try:
            await asyncio.to_thread(save_request, Settings.from_env().clinic_db_url, request)
        except Exception:  # the visitor must hear that it failed; their details stay in slots
            logger.exception("Could not store the consultation request of %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_request_failed")
            return []
        dispatcher.utter_message(
            response="utter_request_submitted_doctor"
            if doctor
            else "utter_request_submitted_treatment"
        )
        # The details stay, so that "will someone call me?" is answered from what was sent.
        return [
            SlotSet("request_sent", request["request_type"]),
            SlotSet("contact_confirmed", None),
        ]


class ActionResetBooking(Action):
    """Forgets a booking the visitor cancelled."""

    def name(self) -> str:
        return "action_reset_booking"

    async def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        return reset_booking(tracker)
