"""Intents from wording and meaning together: a logistic regression over character n-grams
(which carry misspellings: "paniful", "hw long dose it take") and the sentence encoding of
nlp/sentence_embeddings.py (which carries meaning: "take the edge off" is about pain).

Why not DIET: on a few thousand short examples a linear model over the same two kinds of features
generalises better to wording nobody wrote down (held-out phrasings, 5-fold cross-validation and
the blind sets: docs/decisions.md, "Understanding a message"), trains in seconds instead of a
minute, and its probabilities are smoother, which the fallback threshold and the second-question
check rely on. The model is kept as arrays and JSON, never as a pickle: loading a model runs no
code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlp.persistence import PersistedComponent, load_arrays, save_arrays
from nlp.regression import as_arrays, probabilities
from nlp.sentence_embeddings import SentenceEmbeddingFeaturizer

RANKING_LENGTH = 10


def _vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, vocabulary=vocabulary
    )


def _sentence_encoding(message: Message) -> np.ndarray:
    dense = message.get_dense_features(TEXT)[1]
    if dense is None:
        raise ValueError("SentenceIntentClassifier needs SentenceEmbeddingFeaturizer before it")
    return np.asarray(dense.features, dtype=np.float32).reshape(-1)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceIntentClassifier(PersistedComponent, IntentClassifier):
    """Multinomial logistic regression over character n-grams and the sentence encoding."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [SentenceEmbeddingFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Measured on tests/nlu_holdout.yml and by 5-fold cross-validation: the encoding weighted
        # twice the n-grams' unit-length block, and weak regularisation (C=10).
        return {"C": 10.0, "dense_weight": 2.0, "max_iter": 3000}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.vectorizer: TfidfVectorizer | None = None
        self.weights: dict[str, np.ndarray] = {}

    def _features(self, messages: list[Message]) -> csr_matrix:
        assert self.vectorizer is not None
        ngrams = self.vectorizer.transform([m.get(TEXT) or "" for m in messages])
        dense = np.stack([_sentence_encoding(m) for m in messages]) * self.config["dense_weight"]
        return hstack([ngrams, csr_matrix(dense)]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        self.vectorizer = _vectorizer().fit([e.get(TEXT) for e in examples])
        model = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"])
        model.fit(self._features(examples), [e.get(INTENT) for e in examples])
        self.weights = {**as_arrays(model), "idf": self.vectorizer.idf_.astype(np.float64)}
        return self.persist()

    def write(self, folder: Path) -> None:
        assert self.vectorizer is not None
        save_arrays(folder / "weights.npz", self.weights)
        (folder / "vocabulary.json").write_text(json.dumps(self.vectorizer.vocabulary_))

    def read(self, folder: Path) -> None:
        self.weights = load_arrays(folder / "weights.npz")
        self.vectorizer = _vectorizer(json.loads((folder / "vocabulary.json").read_text()))
        self.vectorizer.idf_ = self.weights["idf"]

    def process(self, messages: list[Message]) -> list[Message]:
        to_classify = [m for m in messages if m.get(TEXT)]
        if not to_classify or not self.weights:
            return messages
        classes = self.weights["classes"]
        for message, row in zip(
            to_classify, probabilities(self.weights, self._features(to_classify)), strict=True
        ):
            order = np.argsort(-row)[:RANKING_LENGTH]
            ranking = [{"name": str(classes[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
