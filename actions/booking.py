"""What the visitor hears about a booking around the forms: where a request stands, stopping one,
and how to reach someone at the clinic. Every reply is true to what was sent: "stop" never says
nothing was sent when a request already went to the clinic."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_profile import load_profile
from actions.consultation import reset_booking

FORMS = ("screening_form", "contact_form")
FOLLOWUP = {
    "treatment_consultation": "utter_request_followup_treatment_consultation",
    "doctor_consultation": "utter_request_followup_doctor_consultation",
}


class ActionRequestFollowup(Action):
    """ "Will someone call me?", "did it go through?": answered from the request sent, the one
    in progress, or the absence of one."""

    def name(self) -> str:
        return "action_request_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        sent = tracker.get_slot("request_sent")
        if sent in FOLLOWUP:
            dispatcher.utter_message(response=FOLLOWUP[sent])
            profile = load_profile()
            if profile.reply_time:
                dispatcher.utter_message(response="utter_clinic_reply_time", **profile.kwargs())
        elif tracker.active_loop_name in FORMS:
            dispatcher.utter_message(response="utter_request_followup_in_progress")
        else:
            dispatcher.utter_message(response="utter_request_followup_none")
        return []


class ActionStopBooking(Action):
    """Stops the booking in progress and says truly what the clinic has."""

    def name(self) -> str:
        return "action_stop_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            response="utter_booking_stopped_after_sent"
            if tracker.get_slot("request_sent")
            else "utter_booking_cancelled"
        )
        return reset_booking(tracker)


class ActionTalkToSomeone(Action):
    """How to reach the clinic when it has said (clinic profile), and an offer to pass the
    visitor's details on; the screening starts only if they say yes (data/rules.yml)."""

    def name(self) -> str:
        return "action_talk_to_someone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        profile = load_profile()
        if profile.contact:
            dispatcher.utter_message(response="utter_talk_to_someone_profile", **profile.kwargs())
        else:
            dispatcher.utter_message(response="utter_talk_to_someone")
        return []
