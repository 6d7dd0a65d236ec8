"""Which language a text is in, English or French, offline. A text is only taken as being in a
language when it says so clearly:
- two words or more, with words only French has and none only English has
  (understanding/language.yml: "c'est-tu safe?", "inscris moi stp"); or
- langid.py (BSD licence; its model ships inside the package, so nothing is downloaded),
  restricted to the two, on three words or more: a probability of at least 0.99, or a reading of
  French with French letters (é, è, à, ç...) and no word only English has.
Below three words langid.py only guesses (every one-word message reads English at 0.68), so a
one-word text is in no language of its own ("ok", "non", "oui"), except a greeting or thanks only
French has ("bonjour", "merci bcp!!") or one of the clinic's words only French spells so
("douloureux?", "cicatrices"). On the 23,775 messages of the English blind sets, 3
written in English are taken as French ("is it uncomfortable during"), besides those that mix in
French ("oui, 5 months"); of 3,249 French training examples and messages of the first two French
sets, 3,109 are taken as French, 3 as English, the rest (mostly "non", "ok", names, phone
numbers) as neither.

Pure Python and langid.py, no Rasa: the NLU pipeline (nlp/language.py) and the staff console's
exports (web/staff/training_data.py) both read it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from understanding.registry import patterns_of

LANGUAGES = ("en", "fr")
DEFAULT = "en"
MIN_WORDS = 3
MIN_PROBABILITY = 0.99
# Letters English visitors do not type: with them, a reading of French is enough.
FRENCH_LETTERS = re.compile(r"[éèêëàâçùûîïôœ]", re.I)


_pattern = patterns_of("language")
_FRENCH_WORDS = _pattern("french_words")
_ENGLISH_WORDS = _pattern("english_words")
_FRENCH_ALONE = _pattern("french_alone")


@cache
def _identifier() -> Any:
    from langid.langid import LanguageIdentifier, model

    identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def _french_by_its_words(text: str) -> bool:
    """Words only French has, and none only English has (understanding/language.yml): a
    message mixing the two is left to langid.py."""
    return bool(_FRENCH_WORDS.search(_typed_plainly(text).lower())) and not _english_words(text)


def _english_words(text: str) -> bool:
    return bool(_ENGLISH_WORDS.search(text.lower()))


def _typed_plainly(text: str) -> str:
    """The text with the typographic apostrophe phones type ("c’est") as a plain one."""
    return text.replace("\u2019", "'")


def load() -> None:
    """Loads langid.py's model now (about a second), not on the first message that needs it."""
    _identifier()


def identify(text: str) -> str | None:
    """ "fr" or "en" when the text clearly is in it, else None."""
    words = len(text.replace("-", " ").split())  # "inscris-moi" is two words
    if words > 1 and _french_by_its_words(text):
        return "fr"
    if words >= MIN_WORDS:
        language, probability = _identifier().classify(text.lower())
        if probability >= MIN_PROBABILITY:
            return str(language)
        if language == "fr" and FRENCH_LETTERS.search(text) and not _english_words(text):
            return "fr"
    return "fr" if _FRENCH_ALONE.search(text) else None


def chosen(metadata: Any) -> str | None:
    """The language the visitor chose with the widget's switch, if any."""
    value = metadata.get("language") if isinstance(metadata, dict) else None
    return value if value in LANGUAGES else None
