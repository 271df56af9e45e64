"""Write an nbgrader assignment's hidden suite and reference module from its source notebooks.

For each source notebook, ``autograder/<a>/test_<notebook>.py`` holds one test per test cell,
worth the cell's points: all or nothing, as nbgrader scores the cell. ``solutions/<a>.py``
holds the code cells of the source (answers as the source has them, and the notebook's own
code), in order. Nothing of the notebooks is run: the cells are read with ``ast``.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from gradelab.course import Course
from gradelab.errors import CourseError
from gradelab.grading.grade_notebook import cell_name, is_test_cell, nbgrader_meta
from gradelab.migrate.translate import (
    MAX_SOURCE_CHARS,
    TranslatedCell,
    Untranslated,
    translate_cell,
)

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
HEADER = '''"""Hidden tests of {assignment}/{notebook}.ipynb, written by `gradelab migrate` from its
test cells: one test per cell, worth the cell's points."""

import pytest
{imports}
from gradelab.testing import expect_raises, expect_uses
'''


@dataclass
class Migration:
    """What ``migrate`` wrote, and what the instructor must finish by hand."""

    written: list[Path] = field(default_factory=list)
    untranslated: list[Untranslated] = field(default_factory=list)


def code_cells(notebook: NotebookNode) -> list[tuple[int, NotebookNode]]:
    return [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]


def without_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not SOLUTION_MARKERS.match(line))


def defined_names(source: str) -> tuple[set[str], set[str]]:
    """The functions (and classes) and the variables a cell defines at its top level."""
    functions: set[str] = set()
    variables: set[str] = set()
    if len(source) > MAX_SOURCE_CHARS:
        return functions, variables
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return functions, variables
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            functions.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            variables.update(t.id for t in targets if isinstance(t, ast.Name))
    return functions, variables


def test_file(
    assignment: str, notebook: str, cells: list[TranslatedCell], imports: list[str]
) -> str:
    lines = "".join(f"{line}\n" for line in dict.fromkeys(imports))
    parts = [HEADER.format(assignment=assignment, notebook=notebook, imports=lines)]
    for cell in cells:
        name = re.sub(r"\W", "_", cell.grade_id)
        lines = [f'"""{cell.title.replace(chr(92), "").replace(chr(34) * 3, "")}"""']
        if cell.untranslated:
            where = ", ".join(str(u.line) for u in cell.untranslated)
            lines.append(f"# gradelab migrate could not translate line(s) {where} of this cell:")
            lines.extend(f"# {line}" for line in cell.source.splitlines())
            unfinished = json.dumps(f"{cell.grade_id}: finish by hand")
            lines.append(f"raise NotImplementedError({unfinished})")
        else:
            lines.extend(cell.body or ["pass"])
        body = "".join(f"    {line}\n" for line in lines)
        parts.append(
            f"\n\n@pytest.mark.points({cell.points:g}, cell={json.dumps(cell.grade_id)})\n"
            f"def test_{name.removeprefix('test_')}(student):\n{body}"
        )
    return "".join(parts)


def migrate(course: Course, assignment: str, force: bool = False) -> Migration:
    """Write the hidden suite and the reference of ``assignment``; refuse to overwrite them
    unless ``force``."""
    suite, reference = course.hidden_suite(assignment), course.reference_solution(assignment)
    if not force and (suite.exists() or reference.exists()):
        raise CourseError(f"{suite} or {reference} exists already; --force replaces them")
    migration = Migration()
    solution_code = []
    suite.mkdir(parents=True, exist_ok=True)
    for path in course.source_notebooks(assignment):
        notebook = nbformat.read(path, as_version=4)
        functions: set[str] = set()
        variables: set[str] = set()
        imports: list[str] = []
        for _, cell in code_cells(notebook):
            if is_test_cell(cell):
                continue
            source = without_markers(cell.source)
            solution_code.append(source)
            found = defined_names(source)
            functions |= found[0]
            variables |= found[1]
            if not nbgrader_meta(cell).get("solution"):
                imports.extend(import_lines(source))
        cells = []
        for index, cell in code_cells(notebook):
            if is_test_cell(cell):
                points = float(nbgrader_meta(cell).get("points", 0))
                translated = translate_cell(
                    cell_name(cell, index), points, cell.source, functions, variables - functions
                )
                imports.extend(translated.imports)
                migration.untranslated.extend(translated.untranslated)
                cells.append(translated)
        target = suite / f"test_{path.stem}.py"
        target.write_text(test_file(assignment, path.stem, cells, imports))
        migration.written.append(target)
    reference.parent.mkdir(parents=True, exist_ok=True)
    reference.write_text(
        f'"""The reference of {assignment}: the code cells of its source notebooks."""\n\n'
        + "\n\n".join(solution_code)
        + "\n"
    )
    migration.written.append(reference)
    return migration


def import_lines(source: str) -> list[str]:
    """The top-level imports of a cell, as lines."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return [ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
