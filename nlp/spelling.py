"""Texting and typos read as the words they stand for, before anything else reads the message.

Visitors type on phones: "hw lng dos it tk", "rslts", "recvery", "inflmaed". A word it does not
know is replaced by a word of the training data it can stand for. Known are: English words (the
common ones, and rarer ones of four letters or more: "pours", "greenish"), the words that read a
screening or consent answer ("nup", "yeh"), and the training data's and the other rule files'
words unless they are a typo of a far more frequent word ("hw" of "how"). A word typed without
vowels stands for one with them ("rslts" -> "results", "mny" -> "many"); otherwise two letters
swapped or one missing ("tiem" -> "time", "sesion" -> "session") or, a third as likely, a letter
too many or wrong (this only in words of four letters or more: "treet" -> "treat"). The word
most frequent in the training data wins, among words seen at least three times there. Safety:
no word is ever made into a negation or a yes or no, and answer words are never changed, so a
correction cannot turn an answer over; words in other scripts ("không") are left alone.

The component runs first in the NLU pipeline, so the classifier, the entity ruler and the
rules all read the corrected text; nlp/reading.py gives the parse data back the visitor's own
words (TYPED_KEY) at the end, so names and details are kept as typed.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlp.components import common_english_words, stretched_forms
from nlp.language import TEXT_LANGUAGE_KEY
from nlp.persistence import PersistedComponent

# Where the visitor's own words are kept while the pipeline reads the corrected ones.
TYPED_KEY = "typed_text"
ROOT = Path(__file__).resolve().parent.parent
# Files whose words the rules read: a word there is known ("nkda", "preggo") unless it is a typo
# of a far more frequent word (TYPO_RATIO).
RULE_FILES = (*sorted((ROOT / "understanding").glob("*.yml")), ROOT / "nlp" / "vocabulary.yml")
# The words that read an answer's yes or no are never corrected, typo or not ("nup", "yeh").
ANSWER_FILES = (ROOT / "understanding" / "screening.yml", ROOT / "understanding" / "consent.yml")
# Words in any script; only those in plain ASCII letters are ever corrected ("không" is kept).
_WORD = re.compile(r"[^\W\d_]+")
_ASCII_WORD = re.compile(r"[a-z]+")
# Never a correction's result: a correction may not add or remove an answer's polarity.
NEVER_MADE = {
    "no", "not", "nor", "never", "none", "nope", "nah", "nothing", "yes", "yeah", "yep", "yup",
    "ok", "okay", "sure", "cant", "dont", "wont", "isnt", "arent", "didnt", "doesnt", "without",
}  # fmt: skip
VOWELS = set("aeiou")
MIN_SUBSTITUTED_LENGTH = 4
# A word of the training data or the rules is a typo when a word it can stand for is this many
# times more frequent ("hw" beside "how"), and is then corrected like any unknown word.
TYPO_RATIO = 10
# How much likelier a swap, a missing letter or vowels left out is than a letter too many or
# wrong: "treet" is "treat" (24 times in the training data), not "street" (3).
LIKELIER_KIND = 3
# Rarer English words are words in their own right too when this long ("pours", "greenish"):
# shorter ones this rare are texting ("hw", "whn") and typos ("tiem") more often than words.
RARE_WORD_LOGPROB = -15.0
RARE_WORD_MIN_LENGTH = 4
# Words seen fewer times in the training data are no correction's result ("pors" is not
# "pros" because a question once said "pros and cons").
MIN_TARGET_COUNT = 3


def skeleton(word: str) -> str:
    """The first letter, then the consonants: "results" -> "rslts"."""
    return word[:1] + "".join(ch for ch in word[1:] if ch not in VOWELS)


def _swapped(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}


def _one_more(word: str) -> set[str]:
    letters = string.ascii_lowercase
    return {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}


def _one_less(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_wrong(word: str) -> set[str]:
    if len(word) < MIN_SUBSTITUTED_LENGTH:
        return set()
    letters = string.ascii_lowercase
    return {word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in letters} - {word}


def _subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


class Speller:
    """Corrects the words it does not know to the training data's (see the module's docstring)."""

    def __init__(self, counts: dict[str, int], known: set[str]) -> None:
        self.counts = {
            w: n
            for w, n in counts.items()
            if len(w) > 1 and n >= MIN_TARGET_COUNT and w not in NEVER_MADE
        }
        self.known = known
        self.by_skeleton: dict[str, list[str]] = {}
        for word in self.counts:
            self.by_skeleton.setdefault(skeleton(word), []).append(word)

    @classmethod
    def learn(
        cls, counts: dict[str, int], common: set[str], rule_words: set[str], answer_words: set[str]
    ) -> Speller:
        """A speller that knows common English and the training data's and the rules' words,
        except those that are not English and typos of a far more frequent word ("hw" of
        "how"). A word of common English is never corrected, however close to another."""
        speller = cls(counts, common | answer_words)
        for word in (set(counts) | rule_words) - speller.known:
            likelier = speller.likeliest_for(word)
            if not likelier or speller.counts[likelier] < TYPO_RATIO * max(1, counts.get(word, 0)):
                speller.known.add(word)
        return speller

    def knows(self, word: str) -> bool:
        return word in self.known or any(v in self.known for v in stretched_forms(word))

    def _vowels_left_out(self, word: str) -> list[str]:
        if set(word[1:]) & VOWELS:
            return []  # "tiem", "treet": vowels typed, none left out
        return [w for w in self.by_skeleton.get(word, []) if _subsequence(word, w)]

    def likeliest_for(self, word: str) -> str | None:
        """The training data's likeliest word that `word` is a typo of, or None. A word typed
        without vowels stands for a word with them ("mny" is "many", not "my")."""
        dropped = [w for w in self._vowels_left_out(word) if w in self.counts and w != word]
        if dropped:
            return max(sorted(dropped), key=self.counts.__getitem__)
        likelier = {w for kind in (_swapped, _one_more) for w in kind(word)}
        less_likely = _one_less(word) | _one_wrong(word)
        scores = {
            w: self.counts[w] * (LIKELIER_KIND if w in likelier else 1)
            for w in (likelier | less_likely) - {word}
            if w in self.counts
        }
        return max(sorted(scores), key=scores.__getitem__) if scores else None

    def correct_word(self, word: str) -> str:
        if len(word) < 2 or not _ASCII_WORD.fullmatch(word) or self.knows(word):
            return word
        return self.likeliest_for(word) or word

    def correct(self, text: str) -> str:
        """The text with each word it does not know corrected; the rest as typed."""

        def fixed(match: re.Match[str]) -> str:
            word = match.group(0)
            corrected = self.correct_word(word.lower())
            return word if corrected == word.lower() else corrected

        return _WORD.sub(fixed, text)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def word_counts(training_data: TrainingData) -> dict[str, int]:
    examples = training_data.training_examples
    return dict(Counter(w for example in examples for w in words_of(example.get(TEXT) or "")))


def speller_for(counts: dict[str, int]) -> Speller:
    """The speller of the training data's word counts, the rule files and common English. Made
    when the model is loaded, so a change to this module or to a rule file needs no training."""
    words = {path: set(words_of(path.read_text(encoding="utf-8"))) for path in RULE_FILES}
    rule_words = set().union(*words.values())
    answer_words = set().union(*(words[path] for path in ANSWER_FILES))
    rarer = common_english_words(RARE_WORD_LOGPROB)
    english = common_english_words() | {w for w in rarer if len(w) >= RARE_WORD_MIN_LENGTH}
    return Speller.learn(counts, english, rule_words, answer_words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class SpellingCorrector(PersistedComponent):
    """The first component: each message's text corrected (Speller), the typed text kept."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.counts: dict[str, int] = {}
        self.speller = Speller({}, set())

    def train(self, training_data: TrainingData) -> Resource:
        self.counts = word_counts(training_data)
        return self.persist()

    def write(self, folder: Path) -> None:
        (folder / "word_counts.json").write_text(json.dumps(self.counts))

    def read(self, folder: Path) -> None:
        self.counts = json.loads((folder / "word_counts.json").read_text())
        self.speller = speller_for(self.counts)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the training data's words are all known

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if message.get(TEXT_LANGUAGE_KEY) == "fr":
                continue  # its words are French, not typos of the English ones
            typed = message.get(TEXT) or ""
            corrected = self.speller.correct(typed)
            if corrected != typed:
                message.set(TYPED_KEY, typed)
                message.set(TEXT, corrected)
        return messages
