"""``gradelab preview ASSIGNMENT --student S`` for an assignment whose notebook draws each
student's numbers in its own code (an answer cell sets ``STUDENT_ID``, which the code then
gives to ``gradelab.student.variant_rng``): the source notebook run as that student, in a
kernel, on a copy of its folder, and written as an HTML page with every output.

The page holds the reference solution's answers next to the student's numbers: it is the
key of that student's variant, written under ``build/``, never released.
"""

from __future__ import annotations

import ast
import json
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor

from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.grading.grade_notebook import nbgrader_meta

#: the answer cell a notebook's numbers come from sets this name
ID_NAME = "STUDENT_ID"
CELL_SECONDS = 120


def sets_student_id(source: str) -> bool:
    """Whether code assigns ``STUDENT_ID`` at its top level."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == ID_NAME for t in node.targets)
        for node in tree.body
    )


def sets_id_in_answer(cell: nbformat.NotebookNode) -> bool:
    """An answer code cell that sets ``STUDENT_ID``."""
    return (
        cell.cell_type == "code"
        and bool(nbgrader_meta(cell).get("solution"))
        and sets_student_id(cell.source)
    )


def variant_notebooks(course: Course, assignment: str) -> list[Path]:
    """The author's notebooks of ``assignment`` in which an answer cell sets ``STUDENT_ID``."""
    return [
        path
        for path in course.authored_notebooks(assignment)
        if any(sets_id_in_answer(cell) for cell in nbformat.read(path, as_version=4).cells)
    ]


def as_student(notebook: nbformat.NotebookNode, student: str) -> nbformat.NotebookNode:
    """``notebook`` with each answer cell that sets ``STUDENT_ID`` setting it to ``student``."""
    for cell in notebook.cells:
        if sets_id_in_answer(cell):
            cell.source = f"{ID_NAME} = {json.dumps(student)}"
    return notebook


def preview_path(course: Course, assignment: str, notebook: str, student: str) -> Path:
    return course.root / "build" / "preview" / assignment / f"{notebook}-{student}.html"


def write_variant_previews(course: Course, assignment: str, student: str) -> list[Path]:
    """Run each variant notebook of ``assignment`` as ``student``; the pages written."""
    written = []
    for source in variant_notebooks(course, assignment):
        notebook = as_student(nbformat.read(source, as_version=4), student)
        with tempfile.TemporaryDirectory(prefix="gradelab-preview-") as folder:
            copy = Path(folder) / assignment
            shutil.copytree(source.parent, copy)
            runner = ExecutePreprocessor(
                timeout=CELL_SECONDS,
                kernel_name="python3",
                extra_arguments=["--IPKernelApp.log_level=ERROR"],  # errors only, no notices
            )
            try:
                runner.preprocess(notebook, {"metadata": {"path": str(copy)}})
            except CellExecutionError as error:
                raise AssignmentError(
                    f"{source}: run as student {student!r}, a cell failed:\n{error}"
                ) from None
        notebook.metadata["title"] = f"{assignment}: {source.stem} as {student}"
        page, _ = HTMLExporter(embed_images=True).from_notebook_node(notebook)
        target = preview_path(course, assignment, source.stem, student)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        written.append(target)
    return written
