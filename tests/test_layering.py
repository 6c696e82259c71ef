"""Layers point one way: the core (``trial``: participants, protocol, audit, access) imports no
feature app; feature apps import the core (``outcomes``' exports and dashboards also read
arms and imaging metrics through those apps' selectors); the project package (settings, root
URLconf, API, demo) sits on top. Composition reaches down through declared handlers.

A small AST check rather than a tool: it reads every import (including those inside
functions) of every non-migration module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# package -> the packages it may import (besides itself and third-party code)
ALLOWED = {
    "trial": set(),
    "randomization": {"trial"},
    "imaging": {"trial"},
    "outcomes": {"trial", "randomization", "imaging", "interviews"},
    "interviews": {"trial"},
    "strongback": {"trial", "randomization", "imaging", "outcomes", "interviews"},
}


def imported_packages(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def violations(packages: dict[str, set[str]], root: Path = ROOT) -> list[str]:
    problems = []
    for package, allowed in packages.items():
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, imported in imported_packages(path):
                if imported in packages and imported != package and imported not in allowed:
                    problems.append(f"{path.relative_to(root)}:{line} imports {imported}")
    return problems


def test_layers_point_one_way() -> None:
    problems = violations(ALLOWED)
    assert problems == [], "\n".join(problems)


def test_the_check_fails_when_the_core_imports_a_feature_app(tmp_path: Path) -> None:
    """Shown failing once: a core module that imports outcomes is reported."""
    for package in ALLOWED:
        (tmp_path / package).mkdir()
    (tmp_path / "trial" / "probe.py").write_text(
        "def f():\n    from outcomes.models import InstrumentResponse\n"
    )
    (tmp_path / "imaging" / "probe.py").write_text("import randomization.selectors\n")
    assert sorted(violations(ALLOWED, tmp_path)) == [
        "imaging/probe.py:1 imports randomization",
        "trial/probe.py:2 imports outcomes",
    ]
