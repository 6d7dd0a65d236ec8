"""What production runs imports none of the developers' tooling: the image copies the runtime
packages only (deploy/container/Dockerfile), so such an import would fail there and nowhere
else."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ("actions", "channels", "clinic", "nlp", "serving", "stores", "understanding", "web")
TOOLING = {"bench", "eval", "tests", "tools"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_runtime_packages_import_no_tooling():
    found = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & TOOLING)
        for package in RUNTIME
        for path in (ROOT / package).rglob("*.py")
        if "build" not in path.relative_to(ROOT).parts
    }
    assert {path: names for path, names in found.items() if names} == {}
