"""Builds the project's spaCy pipeline, offline: blank English, the lookup lemmatizer from
spacy-lookups-data, and an entity ruler with the clinic's vocabulary (nlp/vocabulary.yml, and its
French phrases in nlp/vocabulary_fr.yml, under the same labels and ids).

    python -m nlp.build_pipeline [OUTPUT_DIR]     (default nlp/build/clinic_en)

No model is downloaded: spaCy's blank pipeline and the lookup tables come from installed packages.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import spacy
import yaml

HERE = Path(__file__).resolve().parent
VOCABULARY = HERE / "vocabulary.yml"
VOCABULARIES = (VOCABULARY, HERE / "vocabulary_fr.yml")
DEFAULT_OUTPUT = HERE / "build" / "clinic_en"


def load_vocabulary(path: Path = VOCABULARY) -> dict[str, dict[str, list[Any]]]:
    """label -> id -> phrases. A label may also map straight to a list (its id is the label).
    A phrase is a string, or {tokens: [...]} for a spaCy token pattern where context matters."""
    raw = yaml.safe_load(path.read_text())
    vocabulary: dict[str, dict[str, list[Any]]] = {}
    for label, entries in raw.items():
        if isinstance(entries, list):
            entries = {label: entries}
        vocabulary[label] = {
            str(i): [p if isinstance(p, dict) else str(p).lower() for p in phrases]
            for i, phrases in entries.items()
        }
    return vocabulary


# French writes "the" and "of" before a vowel as one token with the noun ("l'eczéma", "d'acné"):
# each French phrase that opens on a vowel or h also matches so.
_ELISIONS = ("l'", "d'")
_OPENS_ON_A_VOWEL = re.compile(r"^[aeiouyhàâäéèêëîïôöùûü]", re.IGNORECASE)


def elided(phrase: str) -> list[str]:
    """The French phrase, and with each elided article before it when it opens on a vowel."""
    if not _OPENS_ON_A_VOWEL.match(phrase):
        return [phrase]
    return [phrase, *(article + phrase for article in _ELISIONS)]


def _curly(pattern: Any) -> Any:
    """The pattern with the typographic apostrophe phones type ("l’eczéma") for each "'"."""
    if isinstance(pattern, str):
        return pattern.replace("'", "\u2019")
    if isinstance(pattern, list):
        return [_curly(p) for p in pattern]
    if isinstance(pattern, dict):
        return {k: _curly(v) for k, v in pattern.items()}
    return pattern


def build(output: Path = DEFAULT_OUTPUT) -> spacy.language.Language:
    nlp = spacy.blank("en")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    # Runs after the lemmatizer so LEMMA patterns see lemmas; phrases match lower-cased text.
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    nlp.initialize()  # loads the lookup tables from spacy-lookups-data into the pipeline

    patterns: list[dict[str, Any]] = []
    seen = set()
    entries = (
        (path == VOCABULARY, label, entity_id, phrases)
        for path in VOCABULARIES
        for label, ids in load_vocabulary(path).items()
        for entity_id, phrases in ids.items()
    )
    for english, label, entity_id, phrases in entries:
        for phrase in phrases:
            if isinstance(phrase, dict):
                tokens, curly = phrase["tokens"], _curly(phrase["tokens"])
                for variant in (tokens, curly) if curly != tokens else (tokens,):
                    patterns.append({"label": label, "id": entity_id, "pattern": variant})
                continue
            variants = [phrase] if english else elided(phrase)
            for variant in {v: None for p in variants for v in (p, _curly(p))}:
                key = (label, entity_id, variant)
                if key not in seen:
                    seen.add(key)
                    patterns.append({"label": label, "id": entity_id, "pattern": variant})
            # The same phrase by lemma, so inflected forms ("scarred", "wrinkles") match too; the
            # lemmatizer is English, so French phrases match as written ("rids" is no "rid").
            lemmas = [t.lemma_.lower() for t in lemmatizer(nlp.make_doc(phrase))]
            if english and lemmas != phrase.split():
                patterns.append(
                    {
                        "label": label,
                        "id": entity_id,
                        "pattern": [{"LEMMA": lemma} for lemma in lemmas],
                    }
                )
    ruler.add_patterns(patterns)
    output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return nlp


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    nlp = build(output)
    ruler = nlp.get_pipe("entity_ruler")
    print(f"spaCy pipeline {nlp.pipe_names} with {len(ruler.patterns)} patterns -> {output}")


if __name__ == "__main__":
    main()
