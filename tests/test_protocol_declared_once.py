"""The protocol is declared once (``trial/protocol``): no other module restates a visit code,
the session count or the primary outcome, so a protocol amendment is one edit. Templates take
blinding decisions from the read model, never from ``perms`` or the role."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from trial.protocol import PROTOCOL

ROOT = Path(__file__).resolve().parent.parent
APPS = ("trial", "randomization", "outcomes", "imaging", "strongback")
PROTOCOL_PACKAGE = ROOT / "trial" / "protocol"


def _python_files() -> list[Path]:
    return [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and PROTOCOL_PACKAGE not in path.parents
    ]


def _templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if ROOT in path.parents else path.name


def _visit_codes() -> set[str]:
    return {visit.code for visit in PROTOCOL.visits}


RELATION_CALLS = {"select_related", "prefetch_related", "only", "defer", "values", "values_list"}
FIELD_DECLARATIONS = {"_reason", "_same"}  # outcomes/exports/coverage.py: model field names


def _relation_names(tree: ast.AST) -> set[int]:
    """String constants that name a model relation or a context variable, not a visit (the
    screening visit shares its code with the ``screening`` relation): arguments of
    ``select_related`` and friends, and ``{"screening": screening}`` context entries."""
    ids = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RELATION_CALLS
        ):
            ids.update(id(arg) for arg in node.args)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FIELD_DECLARATIONS
        ):
            ids.update(id(arg) for arg in node.args)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and isinstance(value, ast.Name)
                    and key.value == value.id
                ):
                    ids.add(id(key))
    return ids


def protocol_copies(files: list[Path], templates: list[Path]) -> list[str]:
    """Where code outside the protocol package restates a visit code or the session count."""
    codes = _visit_codes()
    found = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        not_visits = _relation_names(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and node.value in codes
                and id(node) not in not_visits
            ):
                found.append(f"{_name(path)}:{node.lineno}: {node.value!r}")
    alternatives = "|".join(map(re.escape, sorted(codes)))
    quoted = re.compile(rf"""["']({alternatives})["']""")
    total = re.compile(rf"/\s*{PROTOCOL.sessions.total}\b|of {PROTOCOL.sessions.total} ")
    for path in templates:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern in (quoted, total):
                match = pattern.search(line)
                if match:
                    found.append(f"{_name(path)}:{number}: {match.group(0)!r}")
    return found


def test_no_module_restates_the_protocol() -> None:
    copies = protocol_copies(_python_files(), _templates())
    assert copies == [], "read these from trial.protocol.PROTOCOL instead:\n" + "\n".join(copies)


def test_the_copy_check_catches_a_new_copy(tmp_path: Path) -> None:
    """The check itself can fail: a feature module that names a visit is caught."""
    module = ROOT / "outcomes" / "_copy_probe.py"
    template = tmp_path / "probe.html"
    template.write_text(f"{{{{ j.sessions.attended }}}}/{PROTOCOL.sessions.total}")
    try:
        module.write_text('OUTCOME_VISITS = ("baseline", "week16")\n', encoding="utf-8")
        copies = protocol_copies([module], [template])
    finally:
        module.unlink()
    assert len(copies) == 3, copies


# Permissions and role tests that decide what a blinded reader may see: templates get these
# decisions already made (journey.arm, journey.stratum, table.show_arm, worklist.show_adherence).
BLINDING_DECISIONS = re.compile(
    r"perms\.trial\.(view_allocation|view_lsiq|view_adherence|view_allocation_after_unblinding)"
    r"|role\.code|randomization_stratum|participant\.mis_stratified|\.allocation\b"
)


def test_no_template_decides_blinding_itself() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
        for path in _templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in [BLINDING_DECISIONS.search(line)]
        if match
    ]
    assert offending == [], "\n".join(offending)
