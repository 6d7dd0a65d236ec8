"""What each question-routing rule changes: switch its pattern off and count the messages of the
sets whose answers change, and how many of them it answered right and wrong.

    python -m eval.rule_ablation [--parses FILE] [SET.yml ...]   (default: every blind set)

--parses keeps the model's readings in FILE (JSON) and reuses them while FILE is newer than the
model, so trying rule after rule does not parse 15,000 messages each time.

Each line gives a rule's changed messages, then `+n` (right only with the rule: what it earns)
and `-n` (right only without it: what it costs), judged by each item's expect and forbid
against the text of the responses chosen (their first variation, with the answer's values).

Each message is read once by the trained model (models/clinic.tar.gz) in this process; then the
answers are chosen again (understanding/answers.py) with one rule of wording.yml or
statements.yml matching nothing, rule by rule. A rule that changes no message's answers is
redundant on every set so far; one that changes a single message exists, on the evidence, for
that sentence. Neither says the rule is wrong: a guard of a safety reading may simply not have
been met yet. Read the answers it changes before removing one.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from eval.answer_accuracy import judge
from eval.corpus import QUESTIONS, SETS, kind_of, load

MODEL = Path("models/clinic.tar.gz")
NEVER = re.compile(r"(?!x)x")
MODULES = ("answers", "subjects", "statements", "airway", "numbing_reaction", "wording")


async def _read(files: list[Path]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    from nlp.spelling import speller_for, word_counts

    agent = Agent.load(str(MODEL))
    speller = speller_for(word_counts(load_data("data/nlu.yml")))
    messages = []
    for path in files:
        for item in load(path):
            parsed = await agent.parse_message(item["q"])
            messages.append(
                {
                    "item": item,
                    "q": item["q"],
                    # the entities' offsets are in the text as the pipeline read it
                    "text": speller.correct(item["q"]),
                    "intent": parsed["intent"]["name"],
                    "ranking": parsed.get("intent_ranking") or [],
                    "entities": parsed["entities"],
                }
            )
    return messages


Chosen = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (response, its values) in order


def _answers(messages: list[dict[str, Any]], responses: list[str]) -> list[Chosen]:
    from understanding.answers import select_responses

    return [
        tuple(
            (a.response, tuple(sorted((k, str(v)) for k, v in a.kwargs.items())))
            for a in select_responses(
                m["intent"], m["ranking"], m["entities"], m["text"], responses
            )
        )
        for m in messages
    ]


def _reply(answers: Chosen, texts: dict[str, str]) -> str:
    """The bot's words for the answers, near enough to judge: each response's first text."""
    said = []
    for response, kwargs in answers:
        try:
            said.append(texts.get(response, "").format(**dict(kwargs)))
        except (KeyError, IndexError, ValueError):
            said.append(texts.get(response, ""))
    return " ".join(said)


def _first_texts(domain: Path) -> dict[str, str]:
    responses = yaml.safe_load(domain.read_text(encoding="utf-8"))["responses"]
    return {
        name: " ".join(
            [str(variations[0].get("text") or "")]
            + [str(b.get("title")) for b in variations[0].get("buttons") or []]
        )
        for name, variations in responses.items()
    }


def main() -> None:
    from nlp.reading import response_names
    from understanding.registry import load as load_rules

    args = sys.argv[1:]
    parses = Path(args.pop(args.index("--parses") + 1)) if "--parses" in args else None
    args = [a for a in args if a != "--parses"]
    files = [Path(a) for a in args] or sorted(
        p for p in SETS.glob("*.yml") if kind_of(p) == QUESTIONS and "blind" in p.stem
    )
    kept = (
        json.loads(parses.read_text(encoding="utf-8"))
        if parses and parses.exists() and parses.stat().st_mtime > MODEL.stat().st_mtime
        else {}
    )
    if kept.get("files") == [str(f) for f in files]:
        messages = kept["messages"]
    else:
        messages = asyncio.run(_read(files))
        if parses:
            kept = {"files": [str(f) for f in files], "messages": messages}
            parses.write_text(json.dumps(kept), encoding="utf-8")
    responses = response_names(Path("domain.yml"))
    base = _answers(messages, responses)
    texts = _first_texts(Path("domain.yml"))
    right = [
        judge(m["item"], _reply(a, texts)) is None for m, a in zip(messages, base, strict=True)
    ]
    modules = [importlib.import_module(f"understanding.{name}") for name in MODULES]
    print(f"{len(messages)} messages from {len(files)} sets, {sum(right)} answered right")
    for file in ("wording", "statements"):
        for rule in load_rules(file).rules:
            holders = [(m, k) for m in modules for k, v in vars(m).items() if v is rule.pattern]
            if not holders:
                continue  # a piece of other patterns (statements.question_word): not on its own
            for module, key in holders:
                setattr(module, key, NEVER)
            try:
                now = _answers(messages, responses)
            finally:
                for module, key in holders:
                    setattr(module, key, rule.pattern)
            changed = [
                (m, was, judge(m["item"], _reply(b, texts)) is None)
                for m, a, b, was in zip(messages, base, now, right, strict=True)
                if a != b
            ]
            earns = sum(1 for _, was, still in changed if was and not still)
            costs = sum(1 for _, was, still in changed if still and not was)
            example = f"  e.g. {changed[0][0]['q'][:60]!r}" if changed else ""
            print(f"{len(changed):5} +{earns:<4} -{costs:<4} {rule.id}{example}", flush=True)


if __name__ == "__main__":
    main()
