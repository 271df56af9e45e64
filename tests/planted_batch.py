"""A class of 30 planted submissions of mse_gradient, graded for real in a scratch copy of the
course, for the report's tests.

24 students of rising strength: student k answers question q right when k reaches that
question's threshold, and with a named mistake of that question below it. One question's
key is wrong: compute_gradient_wb's sign is flipped in the reference solution and in the
notebook's own solution (so the check that the reference scores full marks cannot catch it).
Strong students, who write the right gradient, fail its tests; weak ones, who flip the sign,
pass them. Besides them: two untouched release notebooks and one where the student only
added a cell of their own (all three not attempted), one answer cell that crashes when run,
one function that loops (a time limit), one notebook that is not JSON (refused). Two of the
strong students hand in late, after the due date: the course's late plugin takes its share.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterator
from datetime import datetime, timedelta

import nbformat
from nbgrader.api import Gradebook

from gradelab import nbgrader_commands
from gradelab.autograde.run import autograde
from gradelab.course import Course
from gradelab.grading.grade_notebook import cell_name, nbgrader_meta
from gradelab.grading.sample_submission import Sample, solution_code
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import place_samples

ASSIGNMENT = "mse_gradient"
BROKEN = "test_compute_gradient_wb"
STRENGTHS = 24
#: The answer cell behind each question, the strength from which it is answered right, and
#: the wrong answers below it (names of selftest.toml's wrong submissions), taken in turn.
PLAN = {
    "test_compute_gradient": (
        "compute_gradient",
        10,
        ["sign_flipped", "factor_2_missing", "summed_not_averaged", "returns_list"],
    ),
    BROKEN: ("compute_gradient_wb", 6, ["sign_flipped"]),
    "test_sympy_derivatives": ("sympy_derivatives", 4, ["sympy_sum_other_param"]),
    "test_typed_derivatives": (
        "typed_derivatives",
        8,
        ["typed_sign_flipped", "typed_no_chain_rule"],
    ),
    "test_numerical_gradient": (
        "numerical_gradient",
        14,
        ["forward_huge_step", "integer_w_truncated"],
    ),
}
RIGHT_KEY = "return float(2.0 * np.mean(residual * x)), float(2.0 * np.mean(residual))"
WRONG_KEY = "return float(-2.0 * np.mean(residual * x)), float(-2.0 * np.mean(residual))"
DUE = datetime(2030, 3, 1, 12, 0, 0)
LATE = {"student22": timedelta(hours=5, minutes=30), "student23": timedelta(days=2, hours=1)}
NOT_ATTEMPTED = ["blank_1", "blank_2", "own_cell_only"]
CRASHED = "crashes_when_run"
LOOPS = "loops_forever"
REFUSED = "not_json"


def student(strength: int) -> str:
    return f"student{strength:02d}"


def right_answers(course: Course) -> dict[str, str]:
    """The answer cells of the course's own source notebook (its right answers)."""
    source = nbformat.read(course.source_folder(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb", 4)
    return {
        cell_name(cell, i): solution_code(cell)
        for i, cell in enumerate(source.cells)
        if nbgrader_meta(cell).get("solution")
    }


def wrong_answers(course: Course) -> dict[str, dict[str, str]]:
    """selftest.toml's wrong submissions: name -> the cells each replaces."""
    listing = tomllib.loads((course.hidden_suite(ASSIGNMENT) / "selftest.toml").read_text())
    return {wrong["name"]: wrong["cells"] for wrong in listing["wrong"]}


def answers(strength: int, right: dict[str, str], wrong: dict[str, dict[str, str]]) -> dict:
    """The answer cells of the student of ``strength``, as PLAN says."""
    cells = {}
    for cell, threshold, mistakes in PLAN.values():
        if strength >= threshold:
            cells[cell] = right[cell]
        else:
            cells[cell] = wrong[mistakes[strength % len(mistakes)]][cell]
    return cells


def planted_samples(course: Course) -> list[Sample]:
    right, wrong = right_answers(course), wrong_answers(course)
    listed = [
        Sample(student(k), None, f"strength {k}", answers(k, right, wrong))
        for k in range(STRENGTHS)
    ]
    strong = answers(STRENGTHS - 1, right, wrong)
    crash = "import a_module_no_one_installed\n\n" + right["compute_gradient"]
    listed.append(
        Sample(CRASHED, None, "an answer cell that raises", {**strong, "compute_gradient": crash})
    )
    loop = wrong["loops_forever"]["compute_gradient"]
    listed.append(
        Sample(LOOPS, None, "a function that never returns", {**strong, "compute_gradient": loop})
    )
    listed += [Sample(name, 0.0, "the release, untouched", blank=True) for name in NOT_ATTEMPTED]
    return listed


def break_the_key(course: Course) -> None:
    """Flip the sign of compute_gradient_wb's key in the reference and the notebook's
    solution, as an author who got the derivative wrong in both would."""
    notebook = course.source_folder(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
    for path in (course.reference_solution(ASSIGNMENT), notebook):
        text = path.read_text()
        assert RIGHT_KEY in text, f"{path} no longer holds {RIGHT_KEY!r}"
        path.write_text(text.replace(RIGHT_KEY, WRONG_KEY))


def hand_in(course: Course, listed: list[Sample]) -> None:
    """Place the planted submissions, with their times, and the two that are not answers."""
    place_samples(course, ASSIGNMENT, listed)
    for sample in listed:
        folder = course.submission_folder(sample.student, ASSIGNMENT)
        when = DUE - timedelta(hours=1) + LATE.get(sample.student, timedelta())
        (folder / "timestamp.txt").write_text(f"{when:%Y-%m-%d %H:%M:%S}.000000 UTC\n")
    own = course.submission_folder("own_cell_only", ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(own, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("print('hello')"))
    own.write_text(nbformat.writes(notebook))
    refused = course.submission_folder(REFUSED, ASSIGNMENT)
    refused.mkdir(parents=True, exist_ok=True)
    (refused / f"{ASSIGNMENT}.ipynb").write_text("{not json")


def set_due_date(course: Course) -> Course:
    """The assignment's due date in the gradebook; returns the course with it loaded."""
    with Gradebook(course.db_url, course.course_id) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
    return Course.load(course.root)


def grade(course: Course) -> None:
    run = autograde(course, ASSIGNMENT, force=True, weak=False)
    assert run.failed == {}, run.failed


@contextlib.contextmanager
def graded_planted_class(course: Course, wrong_key: bool = True) -> Iterator[Course]:
    """A scratch copy of the course with the planted class handed in and graded."""
    with scratch_course(course) as scratch:
        if wrong_key:
            break_the_key(scratch)
        nbgrader_commands.release(scratch, ASSIGNMENT)
        config = scratch.root / "nbgrader_config.py"  # the times below are the instructor's
        config.write_text(config.read_text() + '\nc.Gradelab.submission_times = "timestamp.txt"\n')
        scratch = set_due_date(scratch)
        hand_in(scratch, planted_samples(course))
        grade(scratch)
        yield scratch
