"""Rasa NLU component that reports the clinic vocabulary's canonical ids as entity values.

Rasa's SpacyEntityExtractor reports the matched text ("Rosacia", "the GYM"); the entity ruler
also knows the pattern's id ("rosacea", "pools_saunas_gyms"), which is what the answers are keyed
on. Using the id keeps the vocabulary in one place (nlp/vocabulary.yml) instead of repeating it
as Rasa synonyms.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class ClinicEntityExtractor(SpacyEntityExtractor):
    """Entities from the clinic's entity ruler, valued by pattern id."""

    @staticmethod
    def _extract_entities(doc: Any) -> list[dict[str, Any]]:
        return [
            {
                "entity": ent.label_,
                "value": ent.ent_id_ or ent.text.lower(),
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence": None,
            }
            for ent in doc.ents
        ]
