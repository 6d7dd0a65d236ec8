"""Rasa NLU components of the clinic: entity values as the vocabulary's canonical ids, and a
guard that sends keyboard mash to the fallback.

Rasa's SpacyEntityExtractor reports the matched text ("Rosacia", "the GYM"); the entity ruler
also knows the pattern's id ("rosacea", "pools_saunas_gyms"), which is what the answers are keyed
on. Using the id keeps the vocabulary in one place (nlp/vocabulary.yml) instead of repeating it
as Rasa synonyms.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlp.persistence import PersistedComponent

# Labels of the vocabulary that only keep a shorter match from being made ("baby fever" is no
# fever): their spans are matched, then left out.
UNREAD_LABELS = {"figure_of_speech"}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class ClinicEntityExtractor(SpacyEntityExtractor):
    """Entities from the clinic's entity ruler, valued by pattern id."""

    @staticmethod
    def _extract_entities(doc: Any) -> list[dict[str, Any]]:
        return [
            {
                "entity": ent.label_,
                "value": ent.ent_id_ or ent.text.lower(),
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence": None,
            }
            for ent in doc.ents
            if ent.label_ not in UNREAD_LABELS
        ]


# Words at least this common in English (log-probability, spaCy's lexeme_prob table) count as
# language; rarer ones only when the training data has them ("microneedling", "preggo").
COMMON_WORD_LOGPROB = -13.5


@cache
def _english_logprobs() -> dict[str, float]:
    """spaCy's table of English words and their log-probabilities (spacy-lookups-data, offline),
    read once per process: the guard and the spelling corrector both ask it."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as table:
        return dict(json.load(table))


def common_english_words(logprob_above: float = COMMON_WORD_LOGPROB) -> set[str]:
    """English words commoner than `logprob_above` (about 22,000 at the default)."""
    return {word for word, logprob in _english_logprobs().items() if logprob > logprob_above}


def stretched_forms(word: str) -> set[str]:
    """The word with each run of a repeated letter cut to one or two ("heyyy" -> "hey",
    "helloo" -> "hello"): how people stretch words when they type."""
    forms = {""}
    for run in re.finditer(r"(.)\1*", word[:40]):
        letter, length = run.group(1), len(run.group(0))
        lengths = {1, 2} if length > 1 else {1}
        forms = {form + letter * n for form in forms for n in lengths}
        if len(forms) > 64:  # a word stretched in many places: no more variants
            return set()
    return forms - {word}


def only_punctuation(text: str) -> bool:
    """ "...", "?" or "!!!" says nothing: the classifier would read it as its nearest intent (a
    "yes" to a screening question). Emoji are left to it: a thumbs-up is an answer."""
    return bool(text.strip()) and all(
        unicodedata.category(ch)[0] in "PZ" or ch.isspace() for ch in text
    )


def _words(message: Message) -> list[str]:
    return [
        token.text.lower()
        for token in message.get(TOKENS_NAMES[TEXT]) or []
        if any(ch.isalpha() for ch in token.text)
    ]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsGuard(PersistedComponent):
    """Keyboard mash ("asdfgh qwerty zxcv") is not a message to classify: the classifier still
    picks its nearest intent, sometimes confidently ("You're welcome!"). A message none of
    whose words is common English or seen in the training data gets confidence 0, so the
    FallbackClassifier after this turns it into nlu_fallback: the visitor is asked to rephrase."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.known: set[str] = set()

    def train(self, training_data: TrainingData) -> Resource:
        self.known = common_english_words()
        for example in training_data.training_examples:
            self.known.update(_words(example))
        return self.persist()

    def write(self, folder: Path) -> None:
        (folder / "known_words.json").write_text(json.dumps(sorted(self.known)))

    def read(self, folder: Path) -> None:
        self.known = set(json.loads((folder / "known_words.json").read_text()))

    def knows(self, word: str) -> bool:
        return word in self.known or any(v in self.known for v in stretched_forms(word))

    def is_gibberish(self, words: list[str]) -> bool:
        return bool(words) and not any(self.knows(word) for word in words)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT)
            text = message.get(TEXT) or ""
            if intent and (self.is_gibberish(_words(message)) or only_punctuation(text)):
                message.set(INTENT, {**intent, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                # No topic is likely either: the unsure reply offers none to choose from.
                ranking = [
                    {**r, PREDICTED_CONFIDENCE_KEY: 0.0}
                    for r in message.get(INTENT_RANKING_KEY) or []
                ]
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
