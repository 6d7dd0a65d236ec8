"""Stage results kept in bench/work/stages/, keyed by a hash of what the stage read.

A rerun after a change redoes only the stages whose inputs changed; every record keeps when it
was measured and how long it took, so the report can say which figure is from which run and the
next run can estimate its time from the last one even when its key no longer matches.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tools.processes import ROOT

BENCH_DIR = ROOT / "bench"
WORK = BENCH_DIR / "work"
BENCH_CODE = Path(__file__).resolve().parent


class BenchError(RuntimeError):
    """A stage that failed; the message says why and where its log is."""


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.exists():
        return []
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".log")
    )


def fingerprint(paths: Iterable[Path], extra: str = "") -> str:
    """sha256 over the names (relative to the repo) and bytes of every file under `paths`."""
    digest = hashlib.sha256(extra.encode())
    for top in paths:
        found = _files(top)
        if not found:
            digest.update(f"missing:{top}".encode())
        for file in found:
            name = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file
            digest.update(f"\0{name}\0".encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def bench_modules(*names: str) -> list[Path]:
    """The bench's own modules a stage runs: changing one of them redoes that stage."""
    return [BENCH_CODE / f"{name}.py" for name in names]


class StageCache:
    def __init__(self, folder: Path = WORK / "stages", fresh: bool = False):
        self.folder = folder
        self.fresh = fresh
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, stage: str) -> Path:
        return self.folder / (stage.replace(":", "-") + ".json")

    def record(self, stage: str) -> dict[str, Any] | None:
        """The last record of the stage, whatever its key (for time estimates)."""
        try:
            return json.loads(self._path(stage).read_text())
        except (OSError, ValueError):
            return None

    def get(self, stage: str, key: str) -> dict[str, Any] | None:
        record = None if self.fresh else self.record(stage)
        return record if record and record.get("key") == key else None

    def put(
        self, stage: str, key: str, result: Any, seconds: float, **about: Any
    ) -> dict[str, Any]:
        record = {
            "key": key,
            "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "seconds": round(seconds, 1),
            **about,
            "result": result,
        }
        # Written whole then renamed: an interrupted run never leaves half a record behind.
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "w") as out:
            json.dump(record, out, indent=1)
        os.replace(tmp, self._path(stage))
        return record
