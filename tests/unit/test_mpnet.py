"""The second sentence encoder: real weights from the checked files, read by meaning."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from nlp import mpnet, wordpiece


def test_paraphrases_are_nearer_than_other_topics():
    does_it_hurt, is_it_painful, price = mpnet.encode(
        ["does it hurt", "is it painful", "how much does it cost"]
    )
    assert does_it_hurt @ is_it_painful > does_it_hurt @ price + 0.3
    assert np.isclose(np.linalg.norm(price), 1.0, atol=1e-4)


def test_a_batch_encodes_each_text_as_it_would_alone():
    texts = ["does it hurt", "", "what should i avoid after my treatment on the first night"]
    together = mpnet.encode(texts)
    for text, row in zip(texts, together, strict=True):
        assert np.allclose(mpnet.encode([text])[0], row, atol=1e-5)


def test_texting_shorthand_is_written_out_before_encoding():
    assert wordpiece.written_out("hw long b4 my appt") == "how long before my appointment"
    typed, written = mpnet.encode(["hw long b4 my appt", "how long before my appointment"])
    assert typed @ written > 0.99


def test_empty_text_and_emoji_are_encoded_without_error():
    empty, emoji = mpnet.encode(["", "🤰🤰"])
    assert not empty.any() and np.isfinite(emoji).all()


def test_weights_whose_hash_differs_are_refused(tmp_path, monkeypatch):
    shutil.copy(mpnet.FOLDER / "tokenizer.json", tmp_path / "tokenizer.json")
    forged = tmp_path / "model.safetensors"
    forged.write_bytes(b"not the weights")
    monkeypatch.setattr(mpnet, "FOLDER", tmp_path)
    with pytest.raises(RuntimeError, match="sha256"):
        mpnet.verified()
    assert not forged.exists()
