"""The assistant's intents, slots, forms and entities, read from domain.yml (or a domain/
folder) and read again only when a file changed: the Improve page offers these intents and the
story export keeps only these slots."""

from __future__ import annotations

import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent

_cache: dict[str, object] = {}
_lock = threading.Lock()


def _domain_files(root: Path) -> list[Path]:
    paths = [p for p in (root / "domain.yml", root / "domain.yaml") if p.is_file()]
    if not paths and (root / "domain").is_dir():
        paths = sorted((root / "domain").rglob("*.y*ml"))
    return paths


def _read(paths: list[Path]) -> dict[str, frozenset[str]]:
    info: dict[str, set] = {"intents": set(), "slots": set(), "forms": set(), "entities": set()}
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for key in ("intents", "entities"):
            for item in data.get(key) or []:
                if isinstance(item, str):
                    info[key].add(item)
                elif isinstance(item, dict):
                    info[key].update(str(k) for k in item)
        info["slots"].update(str(k) for k in (data.get("slots") or {}))
        info["forms"].update(str(k) for k in (data.get("forms") or {}))
    if info["forms"]:
        info["slots"].add("requested_slot")
    return {key: frozenset(values) for key, values in info.items()}


def domain_info(root: Path = ROOT) -> dict[str, frozenset[str]]:
    """Intents, slots, forms and entities of the domain, as sets of names."""
    paths = _domain_files(root)
    stamp: tuple = tuple((str(p), p.stat().st_mtime_ns) for p in paths)
    with _lock:
        if _cache.get("stamp") != stamp:
            _cache["info"] = _read(paths)
            _cache["stamp"] = stamp
        return _cache["info"]  # type: ignore[return-value]
