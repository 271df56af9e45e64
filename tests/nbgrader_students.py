"""The students of the nbgrader course in ``tests/nbgrader_course``: their notebooks, made
from the release the way each of them changed it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

COURSE = Path(__file__).parent / "nbgrader_course"
ASSIGNMENT = "hw1"
RIGHT = {
    "cubes": "def cubes(n):\n    if n < 1:\n        raise ValueError(n)\n"
    "    return [i**3 for i in range(1, n + 1)]",
    "sum_of_cubes": "def sum_of_cubes(n):\n    return sum(cubes(n))",
    "why": "A sum of cubes is a triangular number squared.",
    "mean_square": "def mean_square(xs):\n    return float(np.mean(np.asarray(xs) ** 2))",
}


def answered(notebook: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


def cell_of(notebook: NotebookNode, grade_id: str) -> NotebookNode:
    return next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def right(notebook: NotebookNode) -> NotebookNode:
    return answered(notebook, RIGHT)


def wrong(notebook: NotebookNode) -> NotebookNode:
    """Cubes right up to 2 only, no ValueError, a mean square as a dict (a test comparing
    it raises TypeError: the test fails, for this student alone)."""
    return answered(
        notebook,
        {
            **RIGHT,
            "cubes": "def cubes(n):\n    return [i**3 for i in range(1, min(n, 2) + 1)]",
            "mean_square": "def mean_square(xs):\n    return {'mean': float(np.mean(xs))}",
        },
    )


def raiser(notebook: NotebookNode) -> NotebookNode:
    """Its cubes raises; its mean square is left unwritten; the essay untouched."""
    answers = {**RIGHT, "cubes": "def cubes(n):\n    raise RuntimeError('not today')"}
    del answers["why"], answers["mean_square"]
    return answered(notebook, answers)


def editor(notebook: NotebookNode) -> NotebookNode:
    """Right answers, a sum of cubes by formula (not with cubes); deletes a test cell, edits
    another and a read-only cell, adds cells of its own."""
    notebook = answered(
        notebook,
        {**RIGHT, "sum_of_cubes": "def sum_of_cubes(n):\n    return (n * (n + 1) // 2) ** 2"},
    )
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]
    if "test_cubes" in ids:
        del notebook.cells[ids.index("test_cubes")]
        cell_of(notebook, "test_sum_of_cubes").source = "pass"
        cell_of(notebook, "intro").source = "My own notes."
        notebook.cells.insert(3, new_code_cell("print('checking')\nextra = cubes(2)\nextra"))
    else:
        cell_of(notebook, "test_mean_square").source = "assert True"
        notebook.cells.append(new_code_cell("import sys\nprint('done', file=sys.stderr)"))
    return notebook


STUDENTS: dict[str, Callable[[NotebookNode], NotebookNode]] = {
    "right": right,
    "wrong": wrong,
    "raiser": raiser,
    "editor": editor,
}


def submit_all(release: Path, submitted: Path) -> None:
    """Write each student's notebooks to ``submitted/<student>/hw1/``."""
    for student, change in STUDENTS.items():
        folder = submitted / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for path in sorted(release.glob("*.ipynb")):
            nbformat.write(change(nbformat.read(path, as_version=4)), folder / path.name)
