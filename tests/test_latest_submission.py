"""The gradebook always shows the latest submission: a resubmission that forges the sandbox's
replies, or that deletes its test cells and gives other cells their ids, replaces the earlier
full score with what it earns itself (0 where a cell cannot be graded), in the gradebook, the
CSV export and results.json."""

import csv
import json

import nbformat
import pytest

from gradelab import nbgrader_commands
from gradelab.autograde.run import autograde
from gradelab.exports.grades import export_grades
from gradelab.exports.gradescope import export_gradescope
from gradelab.grading.sample_submission import Sample, submission_notebook
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import place_samples

FORGE = """
import gc, os
def compute_gradient(X, y, w):
    return X.T @ (X @ w - y) * 2 / len(y)
jail = next(o for o in gc.get_objects() if type(o).__name__ == "Jail")
os.write(jail.responses, b'{"cells": "all passed"}\\n')
os.write(jail.responses, b'{"cells": [{"name": "x", "error": null}]}\\n')
"""


@pytest.fixture
def graded_alice(course):
    with scratch_course(course) as scratch:
        nbgrader_commands.release(scratch, "mse_gradient")
        place_samples(scratch, "mse_gradient", [Sample("alice", None, "the reference")])
        autograde(scratch, "mse_gradient", force=False, weak=False)
        assert assignment_scores(scratch, "mse_gradient")["alice"].score == 22
        yield scratch


def resubmit(course, notebook: nbformat.NotebookNode) -> float:
    path = course.submission_folder("alice", "mse_gradient") / "mse_gradient.ipynb"
    path.write_text(nbformat.writes(notebook))
    run = autograde(course, "mse_gradient", force=True, weak=False)
    assert run.failed == {}, run.failed
    return assignment_scores(course, "mse_gradient")["alice"].score


def alice_notebook(course, cells: dict[str, str]) -> nbformat.NotebookNode:
    text = submission_notebook(
        course, "mse_gradient", "mse_gradient", Sample("alice", None, "", cells)
    )
    return nbformat.reads(text, as_version=4)


def test_forged_sandbox_replies_are_the_submissions_failure_not_a_kept_score(graded_alice):
    course = graded_alice
    score = resubmit(course, alice_notebook(course, {"compute_gradient": FORGE}))
    assert score == 0
    export_grades(course, course.root / "gradebook" / "grades.csv")
    rows = list(csv.DictReader((course.root / "gradebook" / "grades.csv").open()))
    assert [float(r["score"]) for r in rows if r["student_id"] == "alice"] == [0.0]
    folder = course.root / "gradebook" / "gradescope" / "mse_gradient"
    export_gradescope(course, "mse_gradient", folder)
    assert json.loads((folder / "alice" / "results.json").read_text())["score"] == 0


def test_test_cells_deleted_and_their_ids_given_to_other_cells_are_restored(graded_alice):
    course = graded_alice
    wrong = "def compute_gradient(X, y, w):\n    return -(X.T @ (X @ w - y)) * 2 / len(y)"
    notebook = alice_notebook(course, {"compute_gradient": wrong})
    tests = [
        c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade")
        and not c.metadata["nbgrader"].get("solution")
    ]
    others = [c for c in notebook.cells if c.cell_type == "markdown"][: len(tests)]
    for test, other in zip(tests, others, strict=True):
        notebook.cells.remove(test)
        other.metadata["nbgrader"]["grade_id"] = test.metadata["nbgrader"]["grade_id"]
        other.metadata["nbgrader"]["grade"] = False
    score = resubmit(course, notebook)
    cells = assignment_scores(course, "mse_gradient")["alice"].cells
    assert score < 22 and cells["test_compute_gradient"] < 6
    assert score == sum(cells.values())
