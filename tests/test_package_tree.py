"""The package reads like the flow: no two modules import each other (not even inside a
function), the lower layers never import the upper ones, and the student kit imports nothing
of the instructor's side."""

from __future__ import annotations

import ast
from pathlib import Path

import gradelab

PACKAGE = Path(gradelab.__file__).parent
#: the student kit: what a release notebook imports (see pyproject.toml)
KIT = ("gradelab.student", "gradelab.symbolic", "gradelab.questions")
SHARED = {"gradelab", "gradelab.errors"}
#: layer -> the packages it must never import
BELOW = {
    "gradelab.grading": ("gradelab.selftest", "gradelab.serve", "gradelab.autograde"),
    "gradelab.sandbox": ("gradelab.grading", "gradelab.serve", "gradelab.autograde"),
    "gradelab.course": ("gradelab.feedback", "gradelab.serve", "gradelab.autograde"),
    "gradelab.text": ("gradelab.course", "gradelab.feedback", "gradelab.serve"),
    "gradelab.sandbox.wire": ("gradelab.student", "gradelab.symbolic", "gradelab.questions.spec"),
}


def module_names() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports() -> dict[str, set[str]]:
    """Each module's gradelab imports, wherever in it they are."""
    modules = module_names()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [
                    f"{node.module}.{a.name}"
                    if f"{node.module}.{a.name}" in modules
                    else node.module
                    for a in node.names
                ]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def within(name: str, packages: tuple[str, ...] | set[str]) -> bool:
    return any(name == p or name.startswith(f"{p}.") for p in packages)


def cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path of imports from ``start`` back to it, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        name, path = stack.pop()
        for target in graph[name]:
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_no_two_modules_import_each_other_even_lazily():
    graph = imports()
    cycles = [c for c in (cycle_from(graph, name) for name in sorted(graph)) if c]
    assert not cycles, " -> ".join(cycles[0])


def test_lower_layers_never_import_upper_ones():
    wrong = [
        f"{name} imports {target}"
        for name, targets in imports().items()
        for layer, above in BELOW.items()
        if within(name, (layer,))
        for target in targets
        if within(target, above)
    ]
    assert not wrong, wrong


def test_the_student_kit_imports_only_itself():
    graph = imports()
    kit = {name for name in graph if within(name, KIT)}
    wrong = [
        f"{name} imports {target}"
        for name in sorted(kit)
        for target in graph[name]
        if target not in kit and target not in SHARED
    ]
    assert not wrong, wrong
