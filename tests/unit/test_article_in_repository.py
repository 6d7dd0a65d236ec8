"""The clinic's article, every answer's source, lives in the repository (source/), so a clone
needs nothing beside it. Where the shared copy is beside the repository, the two must be the
same file: an article changed there is copied here, and the answers checked against it."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "source" / "medical-needling-101.txt"
SHARED = ROOT.parent / "shared" / "source" / ARTICLE.name


def test_the_article_is_in_the_repository():
    assert ARTICLE.read_text(encoding="utf-8").startswith("Medical needling 101")


@pytest.mark.skipif(not SHARED.exists(), reason="no shared copy beside the repository")
def test_the_article_is_the_shared_one():
    assert ARTICLE.read_bytes() == SHARED.read_bytes(), f"copy {SHARED} to {ARTICLE}"
