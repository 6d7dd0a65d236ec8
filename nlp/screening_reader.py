"""Screening answers by meaning: a second opinion for words that no rule of actions/parsing.py
knows.

The rules read "nope", "20 weeks" or "been indoors all week" precisely, but visitors answer in
their own words ("i work nights, never see daylight", "the dentist numbs me all the time, never
a problem") and no list of cues is ever complete. For each of the four screening questions, a
logistic regression over the sentence encoding, trained on answers in visitors' own words
(nlp/screening_answers.yml), reads any message as yes, no, not sure, or no answer at all: the
last is learnt from the NLU examples of every intent but the answering ones ("does it hurt",
"stop"), so a question asked mid-form is not taken for an answer. Only readings at or above
`min_confidence` are passed on, as the message's `screening` output ({"sunburn": "no"}), and
the screening action uses one only where its rules find nothing (actions/parsing.py): a rule
it can explain wins over a guess it cannot.

Measured on the development screening sets (726 answers, none in its examples): of the 43
that the rules of this morning could not read, it read 22 right and 3 wrong; over the 2,355
questions of the blind sets it read 62 question-slot pairs in 9,420 as answers, most of them
statements such as "im 20 weeks along, is needling ok" that do answer the question.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from nlp.persistence import PersistedComponent, load_arrays, save_arrays
from nlp.regression import as_arrays, probabilities
from nlp.sentence_embeddings import SentenceEmbeddingFeaturizer, encode, encoding_of

ANSWERS_FILE = Path(__file__).parent / "screening_answers.yml"
OUTPUT_KEY = "screening"
NOT_AN_ANSWER = "other"
# The intents a screening answer is classified as; every other intent's examples teach what is
# not an answer.
ANSWER_INTENTS = {"affirm", "deny", "unsure", "inform"}


def load_answers(path: Path = ANSWERS_FILE) -> dict[str, dict[str, list[str]]]:
    """{slot: {answer: [texts]}} from the answers file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ScreeningAnswerReader(PersistedComponent):
    """For each screening question, what a message would answer to it, when confident."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [SentenceEmbeddingFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The answers file is not Rasa training data, so Rasa would not see it change: its digest
        # goes in the config, and a change retrains this component.
        digest = hashlib.sha256(ANSWERS_FILE.read_bytes()).hexdigest()[:16]
        # Balanced class weights, as the non-answers outnumber each answer fifty to one, and a
        # high bar: both measured on the development sets (above).
        return {"C": 10.0, "min_confidence": 0.8, "max_iter": 3000, "answers_digest": digest}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.weights: dict[str, dict[str, np.ndarray]] = {}

    def train(self, training_data: TrainingData) -> Resource:
        others = [
            e.get(TEXT)
            for e in training_data.intent_examples
            if e.get(TEXT) and e.get(INTENT) not in ANSWER_INTENTS
        ]
        encoded_others = encode(others)
        for slot, by_answer in load_answers().items():
            texts = [text for answer in by_answer for text in by_answer[answer]]
            labels = [answer for answer in by_answer for _ in by_answer[answer]]
            model = LogisticRegression(
                C=self.config["C"], max_iter=self.config["max_iter"], class_weight="balanced"
            )
            model.fit(
                np.vstack([encode(texts), encoded_others]),
                labels + [NOT_AN_ANSWER] * len(others),
            )
            self.weights[slot] = as_arrays(model)
        return self.persist()

    def write(self, folder: Path) -> None:
        for slot, arrays in self.weights.items():
            save_arrays(folder / f"{slot}.npz", arrays)
        (folder / "slots.json").write_text(json.dumps(sorted(self.weights)))

    def read(self, folder: Path) -> None:
        for slot in json.loads((folder / "slots.json").read_text()):
            self.weights[slot] = load_arrays(folder / f"{slot}.npz")

    def readings(self, encoding: np.ndarray) -> dict[str, str]:
        """{slot: answer} for the questions this encoding answers with enough confidence."""
        confident = {}
        for slot, arrays in self.weights.items():
            row = probabilities(arrays, encoding[np.newaxis, :])[0]
            best = int(np.argmax(row))
            answer = str(arrays["classes"][best])
            if answer != NOT_AN_ANSWER and row[best] >= self.config["min_confidence"]:
                confident[slot] = answer
        return confident

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if self.weights and text.strip() and not text.startswith("/"):
                message.set(OUTPUT_KEY, self.readings(encoding_of(message)), add_to_output=True)
        return messages
