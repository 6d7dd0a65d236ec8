"""Resident memory of a process and all its descendants, read from /proc (no psutil needed)."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def _children_by_parent(proc: Path) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # The command name in parentheses may hold spaces: the fields start after its last ")".
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def process_tree(pid: int, proc: Path = PROC) -> list[int]:
    children = _children_by_parent(proc)
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_kb(pid: int, proc: Path = PROC) -> int:
    try:
        for line in (proc / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int, proc: Path = PROC) -> float:
    """MB (10^6 bytes) resident in `pid` and its descendants."""
    return round(sum(rss_kb(p, proc) for p in process_tree(pid, proc)) * 1024 / 1e6, 1)
