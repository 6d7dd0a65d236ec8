"""What each question-routing rule changes: switch its pattern off and count the messages of the
sets whose answers change.

    python -m eval.rule_ablation [SET.yml ...]      (default: every questions set in eval/sets)

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
import re
import sys
from pathlib import Path
from typing import Any

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
                    "q": item["q"],
                    # the entities' offsets are in the text as the pipeline read it
                    "text": speller.correct(item["q"]),
                    "intent": parsed["intent"]["name"],
                    "ranking": parsed.get("intent_ranking") or [],
                    "entities": parsed["entities"],
                }
            )
    return messages


def _answers(messages: list[dict[str, Any]], responses: list[str]) -> list[tuple[str, ...]]:
    from understanding.answers import select_responses

    return [
        tuple(
            a.response
            for a in select_responses(
                m["intent"], m["ranking"], m["entities"], m["text"], responses
            )
        )
        for m in messages
    ]


def main() -> None:
    from nlp.reading import response_names
    from understanding.registry import load as load_rules

    files = [Path(a) for a in sys.argv[1:]] or sorted(
        p for p in SETS.glob("*.yml") if kind_of(p) == QUESTIONS and "blind" in p.stem
    )
    messages = asyncio.run(_read(files))
    responses = response_names(Path("domain.yml"))
    base = _answers(messages, responses)
    modules = [importlib.import_module(f"understanding.{name}") for name in MODULES]
    print(f"{len(messages)} messages from {len(files)} sets")
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
            changed = [m["q"] for m, a, b in zip(messages, base, now, strict=True) if a != b]
            example = f"  e.g. {changed[0][:70]!r}" if changed else ""
            print(f"{len(changed):5} {rule.id}{example}", flush=True)


if __name__ == "__main__":
    main()
