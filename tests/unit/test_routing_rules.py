"""The routing registry (understanding/routing.yml): every rule id the answer code emits is named
there and nothing else is, and each rule fires on its examples and not on its near misses, read
through select_responses with the entities of the clinic's spaCy pipeline."""

import re
from pathlib import Path

import pytest
import spacy
import yaml

from understanding.answers import Trace, select_responses

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = yaml.safe_load((ROOT / "understanding" / "routing.yml").read_text(encoding="utf-8"))
RULES = {rule["id"]: rule for rule in REGISTRY["rules"]}
RESPONSES = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"])
MODULES = (
    "answers",
    "subjects",
    "statements",
    "statements_fr",
    "wording_fr",
    "airway",
    "numbing_reaction",
    "wording",
)
# A quoted rule id; one followed by "{" is an f-string's prefix: a family, registered as "x.*".
_RULE_ID = re.compile(
    r"""["']((?:statement_fr|statement|wording_fr|wording|answers|safety)\.[\w.]*)(\{?)"""
)


def ids_in_the_code() -> set[str]:
    ids = set()
    for module in MODULES:
        source = (ROOT / "understanding" / f"{module}.py").read_text(encoding="utf-8")
        ids |= {name + "*" if brace else name for name, brace in _RULE_ID.findall(source)}
    return ids


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(ROOT / "nlp" / "build" / "clinic_en")


def rules_fired(nlp, example: dict) -> list[str]:
    """The ids of the rules that decided one example, as the NLU pipeline's reader reads it."""
    text, intent = example["text"], example["intent"]
    entities = [
        {
            "entity": ent.label_,
            "value": ent.ent_id_ or ent.text.lower(),
            "start": ent.start_char,
            "end": ent.end_char,
        }
        for ent in nlp(text).ents
    ]
    others = example.get("ranking") or []
    ranking = [{"name": intent, "confidence": 0.8}] if others else []
    ranking += [{"name": name, "confidence": 0.1} for name in others]
    trace = Trace()
    language = example.get("language", "en")  # an example in French says so
    select_responses(intent, ranking, entities, text, RESPONSES, trace, language)
    return trace.rules


def fires(rule_id: str, fired: list[str]) -> bool:
    if rule_id.endswith(".*"):  # a family: any member not registered as a rule of its own
        return any(f.startswith(rule_id[:-1]) and f not in RULES for f in fired)
    return rule_id in fired


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_routing_rule_says_what_it_decides_and_why(rule_id):
    rule = RULES[rule_id]
    for key in ("reads", "decides", "why"):
        assert str(rule.get(key) or "").strip(), f"{rule_id} lacks {key}"
    assert len(rule.get("examples") or []) >= 2, f"{rule_id} needs two examples"
    assert rule.get("not"), f"{rule_id} has no near miss"


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_routing_rule_fires_on_its_examples(nlp, rule_id):
    for example in RULES[rule_id]["examples"]:
        fired = rules_fired(nlp, example)
        assert fires(rule_id, fired), f"{rule_id} misses {example}: {fired}"


@pytest.mark.parametrize("rule_id", list(RULES))
def test_no_routing_rule_fires_on_its_near_misses(nlp, rule_id):
    for example in RULES[rule_id]["not"]:
        fired = rules_fired(nlp, example)
        assert not fires(rule_id, fired), f"{rule_id} fires on {example}: {fired}"


def test_every_rule_id_the_code_emits_is_in_the_registry():
    assert sorted(ids_in_the_code() - set(RULES)) == []


def test_the_registry_names_no_rule_the_code_does_not_emit():
    assert sorted(set(RULES) - ids_in_the_code()) == []


def test_the_registry_ids_are_unique_and_its_order_is_stated():
    ids = [rule["id"] for rule in REGISTRY["rules"]]
    assert len(ids) == len(set(ids))
    assert REGISTRY["order"][0] == "statements" and REGISTRY["order"][-1] == "subjects"


@pytest.mark.parametrize(
    "text,intent",
    [
        ("whats a good cleanser, theres pus on my cheek", "ask_aftercare"),
        ("redness getting worse every day", "report_warning_signs"),
        ("swelling from the cold but its spreading since my session", "report_warning_signs"),
        # an everyday doing beside a sign told as worse than before, and a temperature
        (
            "went to the gym yesterday and my face is more swollen than on day one",
            "report_warning_signs",
        ),
        ("been at the gym and i've got a temperature now", "report_warning_signs"),
        (
            "been at the gym and now my face is swollen and hot, and its day 3",
            "report_warning_signs",
        ),
        # a sign said absent beside one that is not: the one not negated keeps its warning
        ("no fever but there is pus", "report_warning_signs"),
        # laughter, a sore throat or a habit of breathing never lower it after the treatment
        ("had needling yesterday lol i cant breathe", "report_emergency"),
        ("throat is sore and swelling since the numbing cream", "report_emergency"),
        ("a small pimple full of pus after my session", "report_warning_signs"),
        # a sign past day two, read as another topic beside an everyday doing
        ("my face is still swelling up day 6, the gym sauna probably didn't help", "ask_aftercare"),
    ],
)
def test_no_rule_that_lowers_caution_silences_a_warning_sign(nlp, text, intent):
    fired = rules_fired(nlp, {"text": text, "intent": intent})
    assert any(rule.startswith("safety.") for rule in fired), fired


@pytest.mark.parametrize(
    "text,intent",
    [
        # the French rules: something worse or lasting, the treatment, the airway or a sign's
        # word keeps the warning beside an everyday cause
        ("rouge à cause du froid mais ça empire", "report_warning_signs"),
        ("enflé à cause du sport, jour 4 pis c'est chaud au toucher", "report_warning_signs"),
        ("rouge parce que j'ai eu mon traitement il y a 4 jours", "report_warning_signs"),
        ("ma gorge serre à cause du froid", "report_emergency"),
        ("du pus à cause du gym", "report_warning_signs"),
        # a concern or a contraindication told beside something felt, worse or after the
        # treatment keeps it too
        ("ma rosacée brûle pis c'est chaud", "report_warning_signs"),
        ("mes vergetures sont rouges pis enflées depuis le traitement", "report_warning_signs"),
        ("coup de soleil avec des cloques qui suintent", "report_warning_signs"),
        ("enceinte pis j'ai de la fièvre", "report_warning_signs"),
        # a reaction to the numbing placed now, after the treatment or at the airway
        ("là j'ai des plaques partout à cause de la crème anesthésiante", "report_emergency"),
        ("j'ai déjà réagi à la lidocaïne pis là ma gorge enfle", "report_emergency"),
        ("après mon traitement j'ai réagi à la crème, des plaques partout", "report_emergency"),
        # a fear told beside a sign, the airway or something worse
        ("j'ai peur, ma gorge enfle", "report_emergency"),
        ("chu stressée, y'a du pus pis de la fièvre", "report_warning_signs"),
        ("je suis inquiète, la rougeur empire depuis 3 jours", "report_warning_signs"),
        # breath, a tongue or chills explained beside the airway closing or a sign
        ("je respire mieux mais mes lèvres enflent", "report_emergency"),
        ("le nez qui coule pis ma gorge serre", "report_emergency"),
        ("je me suis brûlé la langue avec mon café pis elle enfle", "report_emergency"),
        (
            "des frissons en regardant pis de la fièvre depuis mon traitement",
            "report_warning_signs",
        ),
        ("un petit bleu qui empire depuis 3 jours", "report_warning_signs"),
        ("pas encore eu de traitement mais j'ai du pus", "report_warning_signs"),
        # a sign said absent, over, or a sore throat, beside a sign still there or the airway
        ("pas de fièvre mais du pus", "report_warning_signs"),
        ("de la fièvre le mois passé pis j'en ai encore", "report_warning_signs"),
        ("j'ai mal à la gorge pis elle enfle", "report_emergency"),
        # redness told as going down beside a sign, growth elsewhere or its negation
        ("la rougeur diminue mais j'ai de la fièvre", "report_warning_signs"),
        ("l'enflure dégonfle mais la rougeur s'étend", "report_warning_signs"),
        ("la rougeur a pas diminué pis ça fait 4 jours", "report_warning_signs"),
        ("c'est rouge au lieu de diminuer, jour 3", "report_warning_signs"),
        # flaking past two days beside redness or growth; tiredness beside faintness
        ("ça pèle pis c'est encore rouge au jour 4", "report_warning_signs"),
        ("la peau pèle pis l'enflure empire", "report_warning_signs"),
        ("je me sens fatiguée pis j'ai de la misère à respirer", "report_emergency"),
        # growth however conjugated or compared, beside an everyday cause or a day counted
        ("la chaleur pis la douleur empirent depuis ce matin", "report_warning_signs"),
        ("c'est de plus en plus enflé, jour 2", "report_warning_signs"),
        ("ma face est plus enflée à matin qu'hier soir, jour 2", "report_warning_signs"),
        ("la rougeur fait une ligne qui monte vers l'oreille", "report_warning_signs"),
        # something said absent, less or almost gone, beside what is not
        ("ça arrête pas d'enfler, jour 1", "report_warning_signs"),
        ("c'est pas moins rouge qu'hier pis c'est chaud au toucher", "report_warning_signs"),
        ("ya plus de rougeur qu'hier", "report_warning_signs"),
        ("je respire bien mais ma langue enfle", "report_emergency"),
        ("moins rouge qu'hier mais j'ai du pus", "report_warning_signs"),
        ("presque pu visible mais ça s'étend vers le cou", "report_warning_signs"),
        ("pas chaud, juste une ombre de rougeur, mais de la fièvre", "report_warning_signs"),
    ],
)
def test_no_french_rule_that_lowers_caution_silences_a_warning_sign(nlp, text, intent):
    fired = rules_fired(nlp, {"text": text, "intent": intent, "language": "fr"})
    assert any(rule.startswith("safety.") for rule in fired), fired
