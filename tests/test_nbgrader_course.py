"""An nbgrader course graded as it is: stock nbgrader (a Jupyter kernel per notebook) and
gradelab (its sandbox, no kernel) give each cell of each student the same score, and flag the
same cells for manual grading."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from exchange_student import ExchangeStudent
from nbgrader.api import Gradebook
from nbgrader_students import ASSIGNMENT, COURSE, STUDENTS, submit_all
from serving import serve_course, serving

from gradelab.course import Course

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def course_copy(where: Path, with_gradelab: bool) -> Path:
    root = where / ("gradelab" if with_gradelab else "stock")
    shutil.copytree(COURSE, root, ignore=shutil.ignore_patterns("gradelab_config.py"))
    if with_gradelab:
        config = root / "nbgrader_config.py"
        config.write_text(config.read_text() + (COURSE / "gradelab_config.py").read_text())
    return root


def run(root: Path, *command: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def cell_scores(root: Path) -> dict[tuple[str, str, str], tuple[float, bool]]:
    """(student, notebook, cell) -> (score, needs manual grade), from the gradebook."""
    found = {}
    database = root / "gradebook" / "gradebook.db"
    if not database.is_file():  # stock nbgrader's place
        database = root / "gradebook.db"
    with Gradebook(f"sqlite:///{database}") as gradebook:
        for student in STUDENTS:
            for notebook in ("problem1", "problem2"):
                graded = gradebook.find_submission_notebook(notebook, ASSIGNMENT, student)
                for grade in graded.grades:
                    found[student, notebook, grade.name] = (
                        float(grade.score or 0),
                        bool(grade.needs_manual_grade),
                    )
    return found


@pytest.fixture(scope="module")
def stock(tmp_path_factory) -> dict:
    root = course_copy(tmp_path_factory.mktemp("course"), with_gradelab=False)
    run(root, str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT)
    submit_all(root / "release" / ASSIGNMENT, root / "submitted")
    run(root, str(BIN / "nbgrader"), "autograde", ASSIGNMENT)
    return cell_scores(root)


@dataclass
class Graded:
    """One ``gradelab autograde`` run and ``gradelab report`` after it, as they were then."""

    root: Path
    printed: str
    scores: dict
    report: str


def autograde_and_report(root: Path, *options: str) -> Graded:
    done = run(root, str(BIN / "gradelab"), "autograde", ASSIGNMENT, *options)
    run(root, str(BIN / "gradelab"), "report", ASSIGNMENT)
    report = (root / "gradebook" / f"report_{ASSIGNMENT}.html").read_text()
    return Graded(root, done.stdout + done.stderr, cell_scores(root), report)


@pytest.fixture(scope="module")
def graded_by_gradelab(tmp_path_factory) -> Graded:
    root = course_copy(tmp_path_factory.mktemp("course"), with_gradelab=True)
    run(root, str(BIN / "gradelab"), "release", ASSIGNMENT)
    submit_all(root / "release" / ASSIGNMENT, root / "submitted")
    return autograde_and_report(root)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> tuple[Path, dict[str, list[Path]]]:
    """The course served by ``gradelab serve``; each student fetches, changes the notebooks
    as above, submits, and waits for the feedback of both notebooks."""
    base = tmp_path_factory.mktemp("served")
    root = course_copy(base, with_gradelab=True)
    course = Course.load(root)
    serve_course(course, base / "exchange", {"*": {}}, [ASSIGNMENT])
    with serving(Course.load(root), base / "serve.log"):
        for name, change in STUDENTS.items():
            someone = ExchangeStudent(name, base / "home" / name, base / "exchange", "numbers")
            for path in sorted(someone.fetch(ASSIGNMENT).glob("*.ipynb")):
                nbformat.write(change(nbformat.read(path, as_version=4)), path)
            someone.submit(ASSIGNMENT)
        pages = {}
        for name in STUDENTS:
            someone = ExchangeStudent(name, base / "home" / name, base / "exchange", "numbers")
            pages[name] = someone.wait_for_feedback(ASSIGNMENT, count=2, seconds=120)
    return root, pages


HAND_FINISHED = '''
@pytest.mark.points(2, cell="test_partial")
def test_partial(student):
    """one point for cubes(2), one for sum_of_cubes(3)"""
    score = (student.cubes(2) == [1, 8]) + (student.sum_of_cubes(3) == 36)
    if score < 2:
        raise PartialCredit(score / 2, f"{score} of the 2 checks pass")
'''


@pytest.fixture(scope="module")
def migrated(graded_by_gradelab: Graded) -> tuple[Graded, str]:
    """The same course with the suite ``gradelab migrate`` writes, its one untranslated test
    finished by hand as docs/migrating.md shows; graded again by ``gradelab autograde``."""
    root = graded_by_gradelab.root
    said = run(root, str(BIN / "gradelab"), "migrate", ASSIGNMENT).stdout
    tests = root / "autograder" / ASSIGNMENT / "test_problem1.py"
    text = tests.read_text()
    start = text.index('@pytest.mark.points(2, cell="test_partial")')
    tests.write_text(
        text[:start].replace("expect_raises,", "PartialCredit, expect_raises,") + HAND_FINISHED
    )
    return autograde_and_report(root, "--force"), said


def test_stock_nbgrader_scores_the_students_as_written(stock):
    """The course does what it means to under nbgrader itself (so the comparison is not
    between two graders that both give nothing)."""
    assert stock["right", "problem1", "test_cubes"] == (2.0, False)
    assert stock["right", "problem1", "test_partial"] == (2.0, False)
    assert stock["wrong", "problem1", "test_partial"] == (1.0, False)
    assert stock["wrong", "problem1", "test_cubes_raises"] == (0.0, False)
    assert stock["raiser", "problem1", "test_cubes"] == (0.0, False)
    assert stock["editor", "problem1", "test_sum_of_cubes"] == (0.0, False)
    assert stock["editor", "problem1", "test_cubes"][0] == 0.0
    assert stock["right", "problem1", "why"] == (0.0, True)
    assert stock["raiser", "problem1", "why"] == (0.0, False)
    assert stock["right", "problem2", "plot_task"][1] is True


#: A deleted test cell: nbgrader has no score for it and flags it for a manual grade;
#: gradelab records its 0 (nothing to grade by hand). Both give 0 points.
DELETED = ("editor", "problem1", "test_cubes")
TASKS = {"plot_task"}


def same_as_stock(graded: dict, stock: dict, flags_of_tasks: bool) -> None:
    assert graded.keys() == stock.keys()
    for key, (score, flagged) in stock.items():
        assert graded[key][0] == score, key
        if key == DELETED:
            assert flagged and not graded[key][1]
        elif key[2] not in TASKS or flags_of_tasks:
            assert graded[key][1] == flagged, key


def test_gradelab_autograde_gives_each_cell_stock_nbgraders_score(stock, graded_by_gradelab):
    same_as_stock(graded_by_gradelab.scores, stock, flags_of_tasks=False)
    assert "graded as nbgrader grades" in graded_by_gradelab.printed
    said = "graded as nbgrader grades: the test cells ran beside the student"
    assert said in graded_by_gradelab.report
    header = "Homework for the numbers course"  # the header notebook, on top of each
    for notebook in ("problem1", "problem2"):
        released = (
            graded_by_gradelab.root / "release" / ASSIGNMENT / f"{notebook}.ipynb"
        ).read_text()
        assert header in released


def test_gradelab_autograde_warns_of_edited_read_only_cells_as_nbgrader_does(graded_by_gradelab):
    printed = graded_by_gradelab.printed
    edited = "editor/hw1/problem1: read-only cells edited (checksum changed): intro, test_sum"
    assert edited in printed
    assert "right/hw1" not in printed and "editor/hw1/problem2" in printed


def test_gradelab_flags_task_cells_for_a_manual_grade_as_nbgrader_does(stock, graded_by_gradelab):
    same_as_stock(graded_by_gradelab.scores, stock, flags_of_tasks=True)


def test_gradelab_serve_gives_each_cell_stock_nbgraders_score(stock, served):
    same_as_stock(cell_scores(served[0]), stock, flags_of_tasks=False)


def test_the_feedback_page_shows_the_assignments_image(served):
    page = next(p for p in served[1]["right"] if p.stem == "problem2").read_text()
    square = (COURSE / "source" / ASSIGNMENT / "square.png").read_bytes()
    assert f'src="data:image/png;base64,{base64.b64encode(square).decode()}"' in page
    assert "the test cells ran beside the student" in page


def test_migrate_names_each_statement_it_could_not_translate_with_cell_and_line(migrated):
    said = migrated[1]
    assert "3 statements of test cells to finish by hand" in said
    assert "cell test_partial, line 2: if cubes(2) == [1, 8]:" in said
    assert "cell test_partial, line 6: score" in said
    assert "cell test_cubes," not in said and "cell test_sum_of_cubes," not in said


def test_the_migrated_suite_gives_stock_nbgraders_scores_but_for_a_deleted_test(stock, migrated):
    """A hidden test does not live in the notebook: deleting its cell loses nothing."""
    graded = migrated[0]
    assert graded.scores[DELETED] == (2.0, False)
    same_as_stock({**graded.scores, DELETED: (0.0, False)}, stock, flags_of_tasks=False)
    assert "graded as nbgrader grades" not in graded.report + graded.printed
