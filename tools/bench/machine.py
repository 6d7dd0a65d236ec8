"""The machine and the versions the figures were measured with (read, never imported: importing
TensorFlow to ask its version would take seconds and memory)."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from tools.processes import ROOT

# The benchmark's own files: not part of what it measures.
OWN_FILES = ("bench/", "tools/bench/", "tests/unit/test_bench_")


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) * 1024 / 1e9, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "os": f"{_os_name()}, Linux {platform.release()}",
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "rasa": _version("rasa"),
        "tensorflow": _version("tensorflow"),
        "spacy": _version("spacy"),
        "scikit-learn": _version("scikit-learn"),
    }


def project_state() -> str:
    """The commit measured, and the files changed since it, which the figures include too."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30
            )
            return done.stdout
        except (OSError, subprocess.TimeoutExpired):
            return ""

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    changed = [
        line[3:]
        for line in git("status", "--porcelain", "--untracked-files=all").splitlines()
        if not line[3:].startswith(OWN_FILES)
    ]
    if not changed:
        return f"commit {commit}"
    return f"commit {commit} with uncommitted changes in {', '.join(changed)}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
