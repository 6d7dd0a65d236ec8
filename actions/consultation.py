"""Collecting the visitor's contact details and handing the request to the clinic."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.parsing import parse_contact, parse_name, parse_preferred_time
from actions.store import SCREENING_SLOTS, database_url, save_request

logger = logging.getLogger(__name__)

CONTACT_SLOTS = ("name", "contact", "contact_kind", "preferred_time", "contact_confirmed")
BOOKING_SLOTS = SCREENING_SLOTS + CONTACT_SLOTS + ("screening_result",)


class ValidateContactForm(FormValidationAction):
    """Each answer is checked; a wrong one is asked again with the reason."""

    def name(self) -> Text:
        return "validate_contact_form"

    async def validate_name(self, value, dispatcher, tracker, domain):
        name = parse_name(str(value or ""))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_name")
        return {"name": name}

    async def validate_contact(self, value, dispatcher, tracker, domain):
        parsed = parse_contact(str(value or ""))
        if parsed is None:
            dispatcher.utter_message(response="utter_invalid_contact")
            return {"contact": None}
        kind, contact = parsed
        return {"contact": contact, "contact_kind": kind}

    async def validate_preferred_time(self, value, dispatcher, tracker, domain):
        time = parse_preferred_time(str(value or ""))
        if time is None:
            dispatcher.utter_message(response="utter_invalid_preferred_time")
        return {"preferred_time": time}

    async def validate_contact_confirmed(self, value, dispatcher, tracker, domain):
        if value is False:  # "No, change it": ask for everything again
            dispatcher.utter_message(response="utter_change_details")
            return {slot: None for slot in CONTACT_SLOTS}
        return {"contact_confirmed": value}


def reset_booking() -> List[Dict[Text, Any]]:
    return [SlotSet(slot, None) for slot in BOOKING_SLOTS]


class ActionSubmitConsultationRequest(Action):
    """Stores the request with the screening answers, then tells the visitor what happens next.
    A contraindication makes it a consultation with the doctor, never a needling booking."""

    def name(self) -> Text:
        return "action_submit_consultation_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        doctor = tracker.get_slot("screening_result") != "clear"
        request = {
            "sender_id": tracker.sender_id,
            "name": tracker.get_slot("name"),
            "contact": tracker.get_slot("contact"),
            "contact_kind": tracker.get_slot("contact_kind") or "unknown",
            "preferred_time": tracker.get_slot("preferred_time"),
            "request_type": "doctor_consultation" if doctor else "treatment_consultation",
            **{slot: tracker.get_slot(slot) for slot in SCREENING_SLOTS},
        }
        try:
            await asyncio.to_thread(save_request, database_url(), request)
        except Exception:  # the visitor must hear that it failed; their details stay in slots
            logger.exception("Could not store the consultation request of %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_request_failed")
            return []
        dispatcher.utter_message(
            response="utter_request_submitted_doctor" if doctor else "utter_request_submitted_treatment"
        )
        return reset_booking()


class ActionResetBooking(Action):
    """Forgets a booking the visitor cancelled."""

    def name(self) -> Text:
        return "action_reset_booking"

    async def run(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        return reset_booking()
