"""The language of each message, read before anything else reads it (understanding/language.py
says how a text's language is told).

The widget's switch ("English / Français") wins: the widget sends the language chosen in the
message's metadata. Otherwise the message's own language decides, else the conversation's, which
the tracker's `language` slot holds ("ok" keeps it).

Two languages are written to the message. `language` is the one to reply in (the switch, else
the message, else the conversation's); when this message decided it, a `language` entity fills
the slot (domain.yml), so the replies take their French variation. `text_language` is the one the
words are in (the message's own reading, else the reply's): the spelling corrector, the intent
classifier and the rules read the words by it, so "est-ce que ça fait mal?" typed with the switch
on English is still understood, and answered in English.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from understanding.language import DEFAULT, LANGUAGES, chosen, identify, load

LANGUAGE_KEY = "language"
# Set when this message decided the language (the switch or a clear reading), not the conversation.
DECIDED_KEY = "language_decided"
TEXT_LANGUAGE_KEY = "text_language"


def language_entity(message: Message) -> list[dict[str, Any]]:
    """The `language` entity of a message whose language it decided itself, else none."""
    if not message.get(DECIDED_KEY):
        return []
    return [{"entity": LANGUAGE_KEY, "value": message.get(LANGUAGE_KEY), "extractor": "language"}]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Writes each message's language (see the module's docstring)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        # Loaded with the model, not on the first visitor's message (nlp/sentence_embeddings.py
        # does the same for the encoder).
        load()
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(
        self, messages: list[Message], tracker: DialogueStateTracker | None = None
    ) -> list[Message]:
        current = tracker.get_slot(LANGUAGE_KEY) if tracker is not None else None
        conversation = current if current in LANGUAGES else DEFAULT
        for message in messages:
            read = identify(message.get(TEXT) or "")
            decided = chosen(message.get("metadata")) or read
            message.set(LANGUAGE_KEY, decided or conversation)
            message.set(TEXT_LANGUAGE_KEY, read or decided or conversation)
            message.set(DECIDED_KEY, decided is not None)
        return messages
