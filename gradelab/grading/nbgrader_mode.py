"""Grade an assignment that has no hidden suite the way nbgrader does, in the sandbox.

The notebook's code cells run in order in one namespace, student cells and test cells
alike (the test cells as the source has them, hidden tests restored), as a Jupyter kernel
would run them, but in gradelab's sandbox and limits and without a kernel. Each code cell
gets the outputs Jupyter would show (printed text, the last expression's value, the error),
and each test cell scores as nbgrader scores it (``nbgrader.utils.determine_grade``): no
points after an error or any text on stderr, the number it shows as partial credit, else
its points. A test cell deleted from the submission earns nothing, as in nbgrader.

What this mode cannot defend against: the tests run beside the student's code, in the same
Python, so a submission can change what they see (redefine ``assert``-d helpers, patch
numpy, print a number taken as partial credit, read the tests). Hidden suites judge in the
trusted process, with data only from the sandbox; ``gradelab migrate`` writes one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from nbformat import NotebookNode, from_dict
from nbgrader.utils import determine_grade

from gradelab.grading.grade_notebook import CellGrade, cell_name, is_test_cell
from gradelab.grading.plugin import Outcome
from gradelab.sandbox.limits import Isolation, Limits
from gradelab.sandbox.session import Session, SubmissionError

#: Said in every score of this mode and in ``gradelab autograde``'s output.
NBGRADER_MODE_NOTE = (
    "graded as nbgrader grades: the test cells ran beside the student's code, which can "
    "change what they see; a hidden suite (gradelab migrate) cannot be changed so"
)
RESTORED = "restored"
DELETED_TEST = "This test cell was deleted from the submission; as in nbgrader, it earns no points."
log = logging.getLogger("gradelab")


def mark_restored(cell: NotebookNode) -> NotebookNode:
    """Mark a test cell put back because the submission had deleted it."""
    cell.metadata.setdefault("gradelab", {})[RESTORED] = True
    return cell


def was_restored(cell: NotebookNode) -> bool:
    return bool(cell.get("metadata", {}).get("gradelab", {}).get(RESTORED))


def output_node(item: list[str], count: int) -> NotebookNode:
    """One output of nbformat's schema from what the sandbox sent (``cell_outputs``), its
    text made writable as UTF-8 (a lone surrogate becomes "?")."""
    item = [part.encode("utf-8", "replace").decode("utf-8") for part in item]
    kind = item[0]
    if kind in ("stdout", "stderr"):
        return from_dict({"output_type": "stream", "name": kind, "text": item[1]})
    if kind == "result":
        return from_dict(
            {
                "output_type": "execute_result",
                "execution_count": count,
                "data": {"text/plain": item[1]},
                "metadata": {},
            }
        )
    trace = [line for line in item[3].split("\n") if line]
    return from_dict(
        {
            "output_type": "error",
            "ename": item[1],
            "evalue": item[2],
            "traceback": [*trace, f"{item[1]}: {item[2]}"],
        }
    )


def stopped_output(reason: str) -> NotebookNode:
    return from_dict(
        {"output_type": "error", "ename": "Stopped", "evalue": reason, "traceback": [reason]}
    )


def run_like_nbgrader(
    notebook: NotebookNode,
    released: Path,
    limits: Limits,
    accept_weak_isolation: bool = False,
    extra_visible: tuple[str, ...] = (),
) -> dict[str, CellGrade]:
    """Run ``notebook``'s code cells in the sandbox (``released`` is the assignment's
    released folder), write their outputs into it, and score its test cells."""
    cells = [
        (index, cell)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and not was_restored(cell)
    ]
    code = [(cell_name(cell, index), cell.source) for index, cell in cells]
    isolation = Isolation.for_assignment(released, extra_visible)
    with Session(isolation, limits, accept_weak_isolation) as session:
        stopped = None
        try:
            reports = session.start(code, outputs=True)
        except SubmissionError as error:
            reports, stopped = [], error.feedback
        notes = [*session.notes, NBGRADER_MODE_NOTE]
    for count, ((_, cell), report) in enumerate(zip(cells, reports, strict=False), start=1):
        cell.outputs = [output_node(item, count) for item in report.outputs]
        cell.execution_count = count
    if stopped is not None:
        for _, cell in cells:
            cell.outputs = [stopped_output(stopped)]
    grades = {}
    for index, cell in enumerate(notebook.cells):
        if not is_test_cell(cell):
            continue
        if was_restored(cell):
            cell.outputs = [stopped_output(DELETED_TEST)]
        points = float(cell.metadata.nbgrader.get("points", 0))
        earned = determine_grade(cell, log)[0] or 0.0
        message = "" if earned == points else first_problem(cell)
        title = "the test cell runs without an error"
        outcome = Outcome(title, cell_name(cell, index), points, earned, message)
        grades[outcome.cell] = CellGrade(outcome.cell, points, [outcome], list(notes))
    return grades


def first_problem(cell: NotebookNode) -> str:
    """Why a test cell fell short, in one line: its error, its stderr or its score."""
    for output in cell.outputs:
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"[:400]
        if output.output_type == "stream" and output.name == "stderr":
            return f"it wrote to stderr: {output.text}"[:400]
        if output.output_type == "execute_result":
            return f"it showed {output.data['text/plain']}, taken as partial credit"[:400]
    return ""
