"""Intents from wording and meaning together: a logistic regression over character n-grams
(which carry misspellings: "paniful", "hw long dose it take") and the sentence encoding of
nlp/sentence_embeddings.py (which carries meaning: "take the edge off" is about pain).

Why not DIET: on a few thousand short examples a linear model over the same two kinds of features
generalises better to wording nobody wrote down (held-out phrasings, 5-fold cross-validation and
the blind sets: docs/decisions.md, "Understanding a message"), trains in seconds instead of a
minute, and its probabilities are smoother, which the fallback threshold and the second-question
check rely on. The model is kept as arrays and JSON, never as a pickle: loading a model runs no
code.

Two models are trained: one on the English examples, which reads English messages, and one on
every example, English and French (data/nlu_fr.yml, marked `language: fr`), which reads French
messages (nlp/language.py decides). The sentence encoding is multilingual, so French examples
trained beside English ones moved English readings ("my face is flushed" read as an emergency):
kept apart, English is read as before, and French still learns from the English examples.
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

from nlp.language import LANGUAGE_KEY, TEXT_LANGUAGE_KEY
from nlp.persistence import PersistedComponent, load_arrays, save_arrays
from nlp.regression import as_arrays, probabilities
from nlp.sentence_embeddings import SentenceEmbeddingFeaturizer
from understanding.language import DEFAULT

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
        # language -> (the n-gram vectorizer, the regression's arrays)
        self.models: dict[str, tuple[TfidfVectorizer, dict[str, np.ndarray]]] = {}

    def _features(self, vectorizer: TfidfVectorizer, messages: list[Message]) -> csr_matrix:
        ngrams = vectorizer.transform([m.get(TEXT) or "" for m in messages])
        dense = np.stack([_sentence_encoding(m) for m in messages]) * self.config["dense_weight"]
        return hstack([ngrams, csr_matrix(dense)]).tocsr()

    def _fit(self, examples: list[Message]) -> tuple[TfidfVectorizer, dict[str, np.ndarray]]:
        vectorizer = _vectorizer().fit([e.get(TEXT) for e in examples])
        model = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"])
        model.fit(self._features(vectorizer, examples), [e.get(INTENT) for e in examples])
        return vectorizer, {**as_arrays(model), "idf": vectorizer.idf_.astype(np.float64)}

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        english = [e for e in examples if _language(e) == DEFAULT]
        self.models = {DEFAULT: self._fit(english or examples)}
        if len(english) < len(examples):
            self.models["fr"] = self._fit(examples)
        return self.persist()

    def write(self, folder: Path) -> None:
        for language, (vectorizer, weights) in self.models.items():
            save_arrays(folder / f"weights_{language}.npz", weights)
            (folder / f"vocabulary_{language}.json").write_text(json.dumps(vectorizer.vocabulary_))

    def read(self, folder: Path) -> None:
        for path in sorted(folder.glob("weights_*.npz")):
            language = path.stem.removeprefix("weights_")
            weights = load_arrays(path)
            vocabulary = json.loads((folder / f"vocabulary_{language}.json").read_text())
            vectorizer = _vectorizer(vocabulary)
            vectorizer.idf_ = weights["idf"]
            self.models[language] = (vectorizer, weights)

    def process(self, messages: list[Message]) -> list[Message]:
        for language in {m.get(TEXT_LANGUAGE_KEY) or DEFAULT for m in messages}:
            chosen = [m for m in messages if (m.get(TEXT_LANGUAGE_KEY) or DEFAULT) == language]
            self._classify(chosen, self.models.get(language) or self.models.get(DEFAULT))
        return messages

    def _classify(
        self,
        messages: list[Message],
        model: tuple[TfidfVectorizer, dict[str, np.ndarray]] | None,
    ) -> None:
        to_classify = [m for m in messages if m.get(TEXT)]
        if not to_classify or model is None:
            return
        vectorizer, weights = model
        classes = weights["classes"]
        features = self._features(vectorizer, to_classify)
        for message, row in zip(to_classify, probabilities(weights, features), strict=True):
            order = np.argsort(-row)[:RANKING_LENGTH]
            ranking = [{"name": str(classes[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def _language(example: Message) -> str:
    """An example's language, from its intent block's metadata (data/nlu_fr.yml)."""
    metadata = example.get("metadata") or {}
    return str((metadata.get("intent") or {}).get(LANGUAGE_KEY) or DEFAULT)
