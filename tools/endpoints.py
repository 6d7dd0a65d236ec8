"""The endpoints file the runner writes for Rasa, so the action server's address and the tracker
store cannot disagree with the settings the other processes get."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa

from serving import TOKEN_HEADER
from tools.processes import ROOT


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, relative paths taken from the repo (the processes' cwd)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return path if path.is_absolute() else ROOT / path


def tracker_store_settings(url: str) -> dict[str, object]:
    """Rasa's SQLTrackerStore settings for the database at `url` (TRACKER_DB_URL)."""
    parsed = sa.engine.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is None:
            raise ValueError(f"TRACKER_DB_URL {url!r}: a SQLite tracker store needs a file")
        return {"type": "SQL", "dialect": "sqlite", "db": str(path)}
    if backend == "postgresql":
        store: dict[str, object] = {"type": "SQL", "dialect": parsed.drivername}
        for key, value in (
            ("url", parsed.host),
            ("port", parsed.port),
            ("db", parsed.database),
            ("username", parsed.username),
            ("password", parsed.password),
        ):
            if value is not None:
                store[key] = value
        if parsed.query:
            store["query"] = {k: str(v) for k, v in parsed.query.items()}
        return store
    raise ValueError(
        f"TRACKER_DB_URL {parsed!r}: the runner writes SQLite or PostgreSQL tracker stores only"
    )


def _yaml(mapping: Mapping[str, object], indent: str = "") -> str:
    # Strings double-quoted (JSON is valid YAML): Rasa expands unquoted ${...} in endpoint
    # files, and a password may hold anything.
    lines = []
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            lines.append(f"{indent}{key}:\n{_yaml(value, indent + '  ')}")
        else:
            lines.append(f"{indent}{key}: {value if isinstance(value, int) else json.dumps(value)}")
    return "\n".join(lines)


def endpoints_yaml(action_url: str, tracker_db_url: str, action_token: str) -> str:
    """The endpoints file for Rasa: this stack's action server with the secret it requires
    (serving/action_server.py), the tracker store at `tracker_db_url`, the lock store in memory (one
    Rasa server)."""
    action_endpoint = {"url": f"{action_url}/webhook", "headers": {TOKEN_HEADER: action_token}}
    return (
        "# Written by tools/stack.py at each start; edits are lost.\n"
        + _yaml(
            {
                "action_endpoint": action_endpoint,
                "tracker_store": tracker_store_settings(tracker_db_url),
            }
        )
        + "\n"
    )
