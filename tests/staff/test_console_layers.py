"""The staff console's layers hold: only the tracker_store package knows Rasa's `events` table
(and its declaration matches Rasa's own), only the service layer runs blocking work off the
event loop, and pages and handlers build the console's links with url_for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.staff.staff_helpers import ROOT

STAFF = ROOT / "web" / "staff"


def _modules(below: Path = STAFF) -> list[Path]:
    return sorted(p for p in below.rglob("*.py") if "__pycache__" not in p.parts)


def _imported_modules(path: Path) -> set[str]:
    """The modules a file imports (`from a import b` counts as importing a.b when b is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                as_path = ROOT / Path(*name.split("."))
                if as_path.with_suffix(".py").exists() or as_path.is_dir():
                    found.add(name)
    return found


# --- the tracker store ---------------------------------------------------------------------

TRACKER_STORE = STAFF / "tracker_store"
# Retention deletes old conversations: the one write to the tracker store, kept in the package.
MAY_REACH_IN = {STAFF / "retention.py": {"web.staff.tracker_store.retention"}}


def test_only_the_tracker_store_package_knows_rasas_table():
    reaching = {}
    for path in _modules(ROOT / "web"):
        if TRACKER_STORE in path.parents:
            continue
        inner = {m for m in _imported_modules(path) if m.startswith("web.staff.tracker_store.")}
        inner -= MAY_REACH_IN.get(path, set())
        if inner:
            reaching[str(path.relative_to(ROOT))] = inner
    assert reaching == {}, "modules that reach into the tracker store's insides"


def test_the_events_table_is_declared_as_rasa_declares_it():
    pytest.importorskip("rasa")
    from rasa.core.tracker_store import SQLTrackerStore

    from web.staff.tracker_store.schema import events

    rasa_table = SQLTrackerStore.SQLEvent.__table__

    def shape(table):
        return {
            c.name: (type(c.type).__name__, getattr(c.type, "length", None), c.nullable)
            for c in table.columns
        }

    assert events.name == rasa_table.name
    assert shape(events) == shape(rasa_table)
