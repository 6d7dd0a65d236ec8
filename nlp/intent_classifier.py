"""Intents from wording and meaning together: a logistic regression over character n-grams
(which carry misspellings: "paniful", "hw long dose it take") and the sentence encoding of
nlp/sentence_embeddings.py (which carries meaning: "take the edge off" is about pain).

Why not DIET: on a few thousand short examples a linear model over the same two kinds of features
generalises better to wording nobody wrote down (held-out phrasings, 5-fold cross-validation and
the blind sets: README, "How a question is understood"), trains in seconds instead of a minute,
and its probabilities are smoother, which the fallback threshold and the second-question check
rely on. The model is kept as arrays and JSON, never as a pickle: loading a model runs no code.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

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


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceIntentClassifier(GraphComponent, IntentClassifier):
    """Multinomial logistic regression over character n-grams and the sentence encoding."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [SentenceEmbeddingFeaturizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Measured on tests/nlu_holdout.yml and by 5-fold cross-validation: the encoding weighted
        # twice the n-grams' unit-length block, and weak regularisation (C=10).
        return {"C": 10.0, "dense_weight": 2.0, "max_iter": 3000}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectorizer: TfidfVectorizer | None = None,
        weights: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.vectorizer = vectorizer
        self.weights = weights or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceIntentClassifier:
        return cls(config, model_storage, resource)

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
        self.weights = {
            "coef": model.coef_.astype(np.float32),
            "intercept": model.intercept_.astype(np.float32),
            "classes": np.array(model.classes_, dtype=str),
            "idf": self.vectorizer.idf_.astype(np.float64),
        }
        with self._storage.write_to(self._resource) as folder:
            np.savez(folder / "weights.npz", **self.weights)
            (folder / "vocabulary.json").write_text(json.dumps(self.vectorizer.vocabulary_))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceIntentClassifier:
        with model_storage.read_from(resource) as folder:
            with np.load(folder / "weights.npz", allow_pickle=False) as stored:
                weights = {name: stored[name] for name in stored.files}
            vocabulary = json.loads((folder / "vocabulary.json").read_text())
        vectorizer = _vectorizer(vocabulary)
        vectorizer.idf_ = weights["idf"]
        return cls(config, model_storage, resource, vectorizer, weights)

    def process(self, messages: list[Message]) -> list[Message]:
        to_classify = [m for m in messages if m.get(TEXT)]
        if not to_classify or not self.weights:
            return messages
        scores = self._features(to_classify) @ self.weights["coef"].T + self.weights["intercept"]
        classes = self.weights["classes"]
        for message, probabilities in zip(to_classify, softmax(np.asarray(scores)), strict=True):
            order = np.argsort(-probabilities)[:RANKING_LENGTH]
            ranking = [
                {"name": str(classes[i]), "confidence": float(probabilities[i])} for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
