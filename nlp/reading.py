"""The last component of the NLU pipeline: one reading of each message (understanding/reading.py)
written into its parse data under "reading", with the ids of the rules that decided it. Rasa
keeps parse data in the tracker, so what was answered, and why, is stored with the message.

It needs the names of the domain's responses (a subject is answered by its own response when
the domain has one); it reads them from the domain file when the model is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlp.language import TEXT_LANGUAGE_KEY, language_entity
from nlp.spelling import TYPED_KEY
from understanding.reading import READING_KEY, read_message

# Where nlp/screening_reader.py puts its readings by meaning.
SCREENING_KEY = "screening"


def response_names(domain_path: Path) -> list[str]:
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    return sorted((domain.get("responses") or {}).keys())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MessageReader(GraphComponent):
    """Reads each message once, after the classifier and the fallback."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"domain": "domain.yml"}

    def __init__(self, responses: list[str]) -> None:
        self.responses = responses

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageReader:
        return cls(response_names(Path({**cls.get_default_config(), **config}["domain"])))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            reading = read_message(
                intent,
                message.get(INTENT_RANKING_KEY) or [],
                message.get(ENTITIES) or [],
                text,
                self.responses,
                message.get(SCREENING_KEY) or {},
                message.get(TEXT_LANGUAGE_KEY) or "en",
            )
            message.set(READING_KEY, reading, add_to_output=True)
            # the language entity fills the conversation's slot; it is no subject to read above
            entities = (message.get(ENTITIES) or []) + language_entity(message)
            message.set(ENTITIES, entities, add_to_output=True)
            if message.get(TYPED_KEY):
                # read as corrected (nlp/spelling.py), kept as typed: names, details, transcripts
                message.set(TEXT, message.get(TYPED_KEY))
        return messages
