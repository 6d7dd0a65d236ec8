"""docs/hazard-log.md names the tests that prove each control: every one must exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_the_hazard_log_names_exists():
    log = (ROOT / "docs" / "hazard-log.md").read_text(encoding="utf-8")
    named = NAMED.findall(log)
    assert len(named) >= 10
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not (ROOT / path).exists()
        or not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M)
    ]
    assert not missing, f"the hazard log names tests that do not exist: {missing}"


def test_every_hazard_has_controls_and_tests():
    log = (ROOT / "docs" / "hazard-log.md").read_text(encoding="utf-8")
    hazards = re.split(r"^## ", log, flags=re.M)[1:]
    assert len(hazards) >= 6
    for hazard in hazards:
        title = hazard.splitlines()[0]
        assert "**Controls**" in hazard, title
        assert NAMED.search(hazard), f"{title}: no test named"
