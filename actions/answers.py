"""The action that answers a visitor's question from the reading the NLU pipeline made of it
(nlp/reading.py): the answers and the rules that chose them are in the message's parse data, so
nothing is read again here. A message with several questions has each question read on its own,
through the same pipeline (Rasa's HTTP API, loopback, token-protected)."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic_profile import load_profile, with_profile
from actions.settings import Settings
from understanding.answers import Answer, combine, select_responses, topic_buttons
from understanding.reading import READING_KEY

logger = logging.getLogger(__name__)


async def parse(session: aiohttp.ClientSession, rasa_url: str, token: str, text: str) -> dict:
    """Classifies one question with the same trained model, through Rasa's HTTP API (loopback,
    token-protected; see tools/stack.py)."""
    async with session.post(
        f"{rasa_url}/model/parse", params={"token": token}, json={"text": text}
    ) as response:
        response.raise_for_status()
        return await response.json()


# A question among several that asks to book ("... and how do i book") gets the offer of a
# consultation: the booking form starts only on a message that is a booking request as a whole.
_BOOKING = "book_consultation"


def _answers_of_one(parsed: dict[str, Any]) -> list[Answer]:
    if (parsed.get("intent") or {}).get("name") == _BOOKING:
        return [Answer("utter_offer_consultation")]
    return answers_of(parsed.get(READING_KEY) or {})


# Readings that answer no question: a question read so is left unanswered among several.
_NO_ANSWER = ("utter_fallback", "utter_fallback_choose", "utter_out_of_scope")


async def answers_per_question(questions: list[str]) -> list[Answer] | None:
    """The answers to each question of a message, each read on its own, or None when they could
    not be read (the caller falls back to the message's own reading)."""
    settings = Settings.from_env()
    rasa_url, token = settings.rasa_url, settings.rasa_api_token
    if not token:
        return None
    try:
        timeout = aiohttp.ClientTimeout(total=3)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            parsed = [await parse(session, rasa_url, token, q) for q in questions]
    except (aiohttp.ClientError, OSError, ValueError) as error:  # fall back to the ranking
        logger.warning("Could not read the questions one by one: %s", type(error).__name__)
        return None
    per_question = [_answers_of_one(p) for p in parsed]
    answered = [a for a in per_question if a and a[0].response not in _NO_ANSWER]
    return combine(answered) or None


class ActionAnswerQuestion(Action):
    """Answers a message; a message with several questions has each classified on its own."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        reading = message.get(READING_KEY) or {}
        answers = answers_of(reading)
        if not answers or text.startswith("/"):
            # A quick-reply payload ("/ask_pain") carries its intent, not words to read.
            answers = select_responses(
                (message.get("intent") or {}).get("name"),
                [],
                message.get("entities") or [],
                "",
                (domain.get("responses") or {}).keys(),
            )
        questions = reading.get("questions") or []
        if len(questions) >= 2:
            answers = await answers_per_question(questions) or answers
        utter_answers(dispatcher, answers, tracker.get_slot("language"))
        return []


def utter_answers(
    dispatcher: CollectingDispatcher, answers: list[Answer], language: str | None
) -> None:
    """Says the answers, with the clinic's own facts where it has them, in the conversation's
    language (the slot that also picks each response's variation)."""
    for answer in with_profile(answers, load_profile()):
        kwargs = dict(answer.kwargs)
        if "topics" in kwargs:
            kwargs["buttons"] = topic_buttons(kwargs.pop("topics"), language or "en")
        dispatcher.utter_message(response=answer.response, **kwargs)


def answers_of(reading: dict[str, Any]) -> list[Answer]:
    return [
        Answer(str(a.get("response")), dict(a.get("kwargs") or {}))
        for a in reading.get("answers") or []
        if a.get("response")
    ]
