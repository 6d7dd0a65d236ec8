"""The retrieval baseline a clinic might pick instead of an assistant: TF-IDF over the article's
paragraphs, answering every question with the best-matching paragraph.

A bulleted list belongs to the paragraph that introduces it ("Most frequently, the procedure is
used to treat:"), as a site search would show them together. A question sharing no word with
the article gets the "no result" line such a search box shows. Matching is on character
n-grams of the words left after English stop words, as site searches match "pregnant" to
"Pregnancy" and survive a typo: on our question sets it answers more questions right than word
n-grams do (which is what a clinic would tune it for).
"""

from __future__ import annotations

import pickle
import re
import time
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from tools.bench import accuracy
from tools.bench.configs import ARTICLE
from tools.bench.load import percentiles

NO_RESULT = "Sorry, no part of the article matches your question."
BULLET = re.compile(r"^\s*[•*\-–]\s*")
WORD = re.compile(r"\w+")


def content_words(text: str) -> str:
    return " ".join(w for w in WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS)


def paragraphs(article: str) -> list[str]:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", article) if b.strip()]
    merged: list[str] = []
    for block in blocks:
        is_list = all(BULLET.match(line) for line in block.splitlines() if line.strip())
        if is_list and merged:
            merged[-1] += "\n" + block
        elif block not in merged:  # the article repeats its title
            merged.append(block)
    return merged


class SearchBaseline:
    def __init__(self, passages: list[str]):
        self.passages = passages
        self.vectorizer = TfidfVectorizer(
            preprocessor=content_words, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True
        )
        self.matrix = self.vectorizer.fit_transform(passages)

    def answer(self, question: str) -> str:
        scores = linear_kernel(self.vectorizer.transform([question]), self.matrix)[0]
        best = int(scores.argmax())
        return self.passages[best] if scores[best] > 0 else NO_RESULT

    def size_mb(self) -> float:
        return round(len(pickle.dumps((self.vectorizer, self.matrix, self.passages))) / 1e6, 3)


def run(article: Path = ARTICLE) -> dict[str, Any]:
    started = time.perf_counter()
    baseline = SearchBaseline(paragraphs(article.read_text()))
    fit_s = time.perf_counter() - started
    scores = accuracy.score_sets(baseline.answer)
    seconds = [s for result in scores.values() for s in result["answer_seconds"]]
    return {
        "answer_accuracy": {name: accuracy.public(result) for name, result in scores.items()},
        "misses": {name: result["misses"] for name, result in scores.items()},
        "train_s": round(fit_s, 3),
        "model_mb": baseline.size_mb(),
        "passages": len(baseline.passages),
        # Measured in this process, one question at a time: no HTTP, no server.
        "latency_in_process_ms": percentiles([s * 1000 for s in seconds]),
    }
