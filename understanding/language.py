"""Which language a text is in, English or French, offline: langid.py (BSD licence; its model
ships inside the package, so nothing is downloaded), restricted to the two. A text is only taken
as being in a language when it says so clearly: three words or more and a probability of at
least 0.99, or French letters (é, è, à, ç...) and a reading of French. Below three words
langid.py only guesses (every one-word message reads English at 0.68), so a short text is in no
language of its own ("ok", "non", "oui"), except one opening with a greeting or thanks only
French has ("bonjour", "merci bcp!!"), short or unclear. On the 23,223 messages of the English
blind sets, 3 written in English are taken as French ("is it uncomfortable during"); on the 915
French training examples, 772.

Pure Python and langid.py, no Rasa: the NLU pipeline (nlp/language.py) and the staff console's
exports (web/staff/training_data.py) both read it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

LANGUAGES = ("en", "fr")
DEFAULT = "en"
MIN_WORDS = 3
MIN_PROBABILITY = 0.99
# Letters English visitors do not type: with them, a reading of French is enough.
FRENCH_LETTERS = re.compile(r"[éèêëàâçùûîïôœ]", re.I)
# Short messages only French has: greetings, thanks, texting's "bjr", "slt", "stp".
FRENCH_ONLY = re.compile(
    r"^\W*(bonjour|bonsoir|allo|allô|salut|coucou|bjr|slt|merci+|svp|stp|bonne journ[ée]e)\b",
    re.I,
)


@cache
def _identifier() -> Any:
    from langid.langid import LanguageIdentifier, model

    identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def identify(text: str) -> str | None:
    """ "fr" or "en" when the text clearly is in it, else None."""
    if len(text.split()) < MIN_WORDS:
        return "fr" if FRENCH_ONLY.match(text) else None
    language, probability = _identifier().classify(text.lower())
    if probability >= MIN_PROBABILITY or (language == "fr" and FRENCH_LETTERS.search(text)):
        return str(language)
    return "fr" if FRENCH_ONLY.match(text) else None


def chosen(metadata: Any) -> str | None:
    """The language the visitor chose with the widget's switch, if any."""
    value = metadata.get("language") if isinstance(metadata, dict) else None
    return value if value in LANGUAGES else None
