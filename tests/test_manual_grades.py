"""Answers graded by hand (learning_rate's written explanation and its task) await a grader
everywhere until one scores them in formgrader: the selftest, the autograde table,
formgrader's list, the feedback page, the report, the export and a resubmission; the
similarity report compares written answers too; serve releases the page again once they are
graded."""

from __future__ import annotations

import copy

import nbformat
import pytest
from exchange_student import ExchangeStudent, sample_text
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.preprocessors import GetGrades
from serving import serve_course, serving

from gradelab import nbgrader_commands
from gradelab.autograde.run import autograde
from gradelab.cli import main, score_table
from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.feedback.grades import GradesAtOnce
from gradelab.grading.sample_submission import Sample
from gradelab.report.analysis import question_reports
from gradelab.report.submissions import read_submissions
from gradelab.scores import assignment_scores
from gradelab.selftest import grade_samples, scratch_course
from gradelab.selftest.samples import manual_points, place_samples
from gradelab.serve.feedback_release import generate
from gradelab.similarity.comparison import compare_submissions

ASSIGNMENT = "learning_rate"
ESSAY, TASK = "explain_stability", "scaling_table_task"
COMMENT = "Right about the factor; say which direction diverges first."


# The course's own selftest.toml, with only the wrong submission whose essay differs.
LISTING = """
[manual]
explain_stability = 2
scaling_table_task = 2

[[wrong]]
name = "essay_in_one_line"
score = 21
why = "its essay awaits a grader: only the task's points are credited"
[wrong.cells]
explain_stability = "It diverges because the rate is too big."
"""


@pytest.fixture(scope="module")
def graded(course):
    """A scratch copy of the course with learning_rate's selftest samples graded: the
    reference, the blank release and one wrong essay."""
    with scratch_course(course) as scratch:
        (scratch.hidden_suite(ASSIGNMENT) / "selftest.toml").write_text(LISTING)
        yield scratch, grade_samples(scratch, ASSIGNMENT)


def grade_by_hand(course, student: str, cell: str, score: float, comment: str = "") -> None:
    """What formgrader stores when a grader scores a cell and writes a comment."""
    with Gradebook(course.db_url, course.course_id) as gradebook:
        grade = gradebook.find_grade(cell, ASSIGNMENT, ASSIGNMENT, student)
        grade.manual_score, grade.needs_manual_grade = score, False
        if comment:
            gradebook.find_comment(cell, ASSIGNMENT, ASSIGNMENT, student).manual_comment = comment
        gradebook.db.commit()


def page_of(course, student: str) -> str:
    generate(course, student, ASSIGNMENT)
    return (course.feedback_folder(student, ASSIGNMENT) / f"{ASSIGNMENT}.html").read_text()


def test_the_selftest_credits_the_points_declared_for_the_references_hand_graded_answers(graded):
    _, verdicts = graded
    by_name = {v.sample.student: v for v in verdicts}
    assert all(v.ok for v in verdicts), [(v.sample.student, v.total) for v in verdicts]
    assert len(verdicts) == 3
    assert by_name["reference"].score.score == 19 and by_name["reference"].total == 23
    assert by_name["essay_in_one_line"].credit == 2  # its own essay awaits a grader
    assert by_name["blank"].credit == 0 and by_name["blank"].total == 0


def test_a_hand_graded_cell_left_out_of_selftest_toml_is_named(tmp_path):
    listing = tmp_path / "selftest.toml"
    listing.write_text("[manual]\nexplain_stability = 2\n")
    with pytest.raises(AssignmentError, match="add scaling_table_task = POINTS"):
        manual_points(listing, {ESSAY: 2.0, TASK: 2.0})
    listing.write_text("[manual]\nexplain_stability = 3\nscaling_table_task = 2\n")
    with pytest.raises(AssignmentError, match="explain_stability must be a number from 0 to 2"):
        manual_points(listing, {ESSAY: 2.0, TASK: 2.0})


def test_formgrader_lists_the_essay_and_the_task_as_needing_a_manual_grade(graded, tmp_path):
    scratch, _ = graded
    config = copy.deepcopy(scratch.config)
    config.Exchange.root = str(tmp_path)  # formgrader's API looks for an exchange
    api = NbGraderAPI(coursedir=scratch.directories, config=config)
    listed = {s["student"]: s for s in api.get_notebook_submissions(ASSIGNMENT, ASSIGNMENT)}
    assert listed["reference"]["needs_manual_grade"] and listed["blank"]["needs_manual_grade"]
    with Gradebook(scratch.db_url, scratch.course_id) as gradebook:
        task = gradebook.find_grade(TASK, ASSIGNMENT, ASSIGNMENT, "blank")
        essay = gradebook.find_grade(ESSAY, ASSIGNMENT, ASSIGNMENT, "blank")
        assert task.auto_score is None and task.needs_manual_grade
        assert essay.auto_score == 0 and not essay.needs_manual_grade  # no answer: 0, as nbgrader


def test_the_autograde_table_says_awaiting_grading_not_zero(graded):
    rows = {line.split()[0]: line for line in score_table(graded[0], ASSIGNMENT).splitlines()[2:]}
    assert f"{ESSAY}: awaiting grading" in rows["reference"]
    assert f"{TASK}: awaiting grading" in rows["reference"]
    assert f"{ESSAY}: 0" in rows["blank"] and f"{TASK}: awaiting grading" in rows["blank"]


def test_the_report_leaves_ungraded_questions_out_of_statistics_and_counts_them(graded):
    record = read_submissions(graded[0], ASSIGNMENT)
    reports = {r.question.name: r for r in question_reports(record)}
    attempted = len([s for s in record.submissions if s.attempted])
    essay, task = reports[ESSAY], reports[TASK]
    assert essay.to_grade == attempted and task.to_grade == attempted
    assert essay.statistics.difficulty is None and not essay.statistics.flags
    assert "still to grade by hand" in essay.statistics.why_undefined
    assert reports["test_descent_path"].statistics.difficulty is not None


def test_export_names_the_ungraded_answers_and_exports_them_only_when_allowed(graded, capsys):
    scratch, _ = graded
    assert main(["--course", str(scratch.root), "export"]) == 2
    refused = capsys.readouterr().err
    assert "awaiting grading by hand" in refused and "--allow-ungraded" in refused
    assert f"{ASSIGNMENT}  reference  {ESSAY}" in refused
    assert not (scratch.root / "gradebook" / "grades.csv").exists()
    assert main(["--course", str(scratch.root), "export", "--allow-ungraded"]) == 0
    assert "warning: exported with" in capsys.readouterr().out
    assert (scratch.root / "gradebook" / "grades.csv").is_file()


def test_two_word_for_word_essays_are_flagged_and_different_ones_are_not(graded):
    scratch, _ = graded
    released = scratch.release_notebook(ASSIGNMENT, ASSIGNMENT)
    essays = {
        "ann": "The step overshoots: each step multiplies the error by a factor below minus one.",
        "ben": "The step  overshoots: each step multiplies\nthe error by a factor below minus one.",
        "cat": "Past that rate the iterates jump across the valley further at every step.",
    }
    for name, essay in essays.items():
        notebook = nbformat.read(released, as_version=4)
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == ESSAY:
                cell.source = essay
        folder = scratch.submission_folder(name, ASSIGNMENT)
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    ranked = {(s.first, s.second): s.score for s in compare_submissions(scratch, ASSIGNMENT).ranked}
    assert ranked[("ann", "ben")] == 1.0
    assert ranked[("ann", "cat")] == 0.0


def test_the_page_shows_awaiting_grading_then_the_grade_and_again_after_a_resubmission(graded):
    scratch, _ = graded
    before = page_of(scratch, "reference")
    assert f"{ESSAY}: awaiting grading (2 points, graded by hand)" in before
    assert "Each step multiplies the error" in before  # the answer itself is shown
    assert "4 points are awaiting grading by hand" in before
    grade_by_hand(scratch, "reference", ESSAY, 1.5, COMMENT)
    grade_by_hand(scratch, "reference", TASK, 2)
    graded_page = page_of(scratch, "reference")
    assert f"{ESSAY}: 1.5 of 2 points" in graded_page and COMMENT in graded_page
    assert f"{TASK}: 2 of 2 points" in graded_page and "awaiting grading" not in graded_page
    resubmitted = Sample("reference", None, "", {ESSAY: "A better essay, rewritten."})
    place_samples(scratch, ASSIGNMENT, [resubmitted])
    autograde(scratch, ASSIGNMENT, "reference", force=True, weak=False)
    assert set(assignment_scores(scratch, ASSIGNMENT)["reference"].awaiting) == {ESSAY, TASK}
    again = page_of(scratch, "reference")
    assert f"{ESSAY}: awaiting grading" in again and "A better essay, rewritten." in again
    assert COMMENT not in again


def test_serve_releases_the_page_again_once_a_grader_scores_the_essay(course, tmp_path):
    with scratch_course(course) as scratch:
        serve_course(scratch, tmp_path / "exchange", {ASSIGNMENT: {}}, [ASSIGNMENT])
        with serving(scratch, tmp_path / "serve.log") as service:
            dana = ExchangeStudent(
                "dana", tmp_path / "dana", tmp_path / "exchange", scratch.course_id
            )
            text = sample_text(scratch, ASSIGNMENT, Sample("dana", None, ""))
            dana.answer(ASSIGNMENT, ASSIGNMENT, text)
            dana.submit(ASSIGNMENT)
            first = dana.wait_for_feedback(ASSIGNMENT, seconds=60)[0].read_text()
            assert f"{ESSAY}: awaiting grading" in first
            grade_by_hand(scratch, "dana", ESSAY, 2, COMMENT)
            dana.wait_for_feedback(
                ASSIGNMENT,
                seconds=60,
                settled=lambda pages: COMMENT in pages[0].read_text(),
            )
            service.wait_for_log("released dana/learning_rate again: a hand grade changed")


def test_a_page_whose_release_again_failed_is_released_once_it_can_be(course, tmp_path):
    with scratch_course(course) as scratch:
        serve_course(scratch, tmp_path / "exchange", {ASSIGNMENT: {}}, [ASSIGNMENT])
        with serving(scratch, tmp_path / "serve.log") as service:
            eve = ExchangeStudent("eve", tmp_path / "eve", tmp_path / "exchange", scratch.course_id)
            eve.answer(
                ASSIGNMENT, ASSIGNMENT, sample_text(scratch, ASSIGNMENT, Sample("eve", None, ""))
            )
            eve.submit(ASSIGNMENT)
            eve.wait_for_feedback(ASSIGNMENT, seconds=60)
            service.wait_for_log("released eve+")
            made = scratch.feedback_folder("eve", ASSIGNMENT)
            moved = made.with_name("moved")
            made.rename(moved)
            made.write_text("in the way: the page cannot be made here")
            grade_by_hand(scratch, "eve", ESSAY, 2, COMMENT)
            service.wait_for_log("handling eve+")  # the release again failed, and was logged
            made.unlink()
            moved.rename(made)
            eve.wait_for_feedback(
                ASSIGNMENT, seconds=60, settled=lambda pages: COMMENT in pages[0].read_text()
            )
            service.wait_for_log("released eve/learning_rate again: a hand grade changed")


def test_a_course_that_keeps_hand_grades_keeps_them_for_a_resubmission(course):
    with scratch_course(course) as scratch:
        config = scratch.root / "nbgrader_config.py"
        keep = {ASSIGNMENT: {"hand_grades_on_resubmission": "keep"}}
        config.write_text(config.read_text() + f"\nc.Gradelab.policies = {keep!r}\n")
        scratch = Course.load(scratch.root)  # read with its policy
        nbgrader_commands.release(scratch, ASSIGNMENT)
        place_samples(scratch, ASSIGNMENT, [Sample("ann", None, "")])
        autograde(scratch, ASSIGNMENT, force=True, weak=False)
        grade_by_hand(scratch, "ann", ESSAY, 1.5, COMMENT)
        grade_by_hand(scratch, "ann", TASK, 2)
        first = assignment_scores(scratch, ASSIGNMENT)["ann"].score
        resubmitted = Sample("ann", None, "", {ESSAY: "A better essay, rewritten."})
        place_samples(scratch, ASSIGNMENT, [resubmitted])
        autograde(scratch, ASSIGNMENT, "ann", force=True, weak=False)
        again = assignment_scores(scratch, ASSIGNMENT)["ann"]
        assert again.awaiting == ()
        assert again.score == first
        page = page_of(scratch, "ann")
        assert f"{ESSAY}: 1.5 of 2 points" in page and COMMENT in page
        assert "awaiting grading" not in page


def read_grades(course, step, student: str):
    """The autograded notebook of ``student`` and its resources, after the step ``step``."""
    path = course.autograded_folder(student, ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"
    resources = {
        "nbgrader": {
            "student": student,
            "assignment": ASSIGNMENT,
            "notebook": ASSIGNMENT,
            "db_url": course.db_url,
        }
    }
    return step(config=course.config).preprocess(nbformat.read(path, as_version=4), resources)


def test_the_feedback_reads_grades_and_comments_at_once_exactly_as_nbgrader_reads_them(graded):
    scratch, verdicts = graded
    grade_by_hand(scratch, "reference", ESSAY, 1.5, COMMENT)
    with Gradebook(scratch.db_url, scratch.course_id) as gradebook:
        late = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "reference")
        late.late_submission_penalty = 2.0
        gradebook.db.commit()
    students = [v.sample.student for v in verdicts]
    assert len(students) >= 3
    for student in students:
        ours = read_grades(scratch, GradesAtOnce, student)
        assert read_grades(scratch, GetGrades, student) == ours, student
        cells = [c.metadata.get("nbgrader", {}) for c in ours[0].cells]
        assert any("score" in c for c in cells) and any("comment" in c for c in cells)
    notebook, resources = read_grades(scratch, GradesAtOnce, "reference")
    assert resources["nbgrader"]["late_penalty"] == 2.0
    essay = next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == ESSAY
    )
    assert (essay.metadata.nbgrader["score"], essay.metadata.nbgrader["comment"]) == (1.5, COMMENT)
