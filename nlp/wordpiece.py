"""How the transformer encoders read a message: texting shorthand written out, then BERT's basic
tokenisation (lower case, accents off, punctuation split off) and WordPiece.

Texting shorthand is written out first because their formal word pieces split it into nonsense
("appt" -> "app", "##t"). The Universal Sentence Encoder, trained on web text, reads it as typed.
"""

from __future__ import annotations

import re
import unicodedata

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


def words(text: str) -> list[str]:
    """BERT's basic tokenisation of the written-out text."""
    text = unicodedata.normalize("NFD", written_out(text).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    found: list[str] = []
    for chunk in text.split():
        current = ""
        for ch in chunk:
            if ch.isalnum():
                current += ch
                continue
            found += [current] if current else []
            found.append(ch)
            current = ""
        found += [current] if current else []
    return found


def token_ids(vocab: dict[str, int], text: str, first: str, last: str, most: int) -> list[int]:
    """`first` WordPiece ids `last`, at most `most` in all; a word with no pieces is [UNK]."""
    ids = [vocab[first]]
    for word in words(text):
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start and (("##" if start else "") + word[start:end]) not in vocab:
                end -= 1
            if end == start:
                pieces = [vocab["[UNK]"]]
                break
            pieces.append(vocab[("##" if start else "") + word[start:end]])
            start = end
        ids += pieces
    return ids[: most - 1] + [vocab[last]]
