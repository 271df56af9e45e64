"""The gradebook is the one source of truth: an extension set there the nbgrader way is never
taken back, and a score given by hand belongs to the submission it graded."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gradelab import nbgrader_commands
from gradelab.autograde.gradebook_writer import GradebookWriter
from gradelab.course import Course
from gradelab.course.gradebook import open_gradebook
from gradelab.feedback.policy import policy_lines
from gradelab.grading.submission import GradedNotebook, GradedSubmission
from gradelab.selftest import scratch_course

pytestmark = pytest.mark.slow
ASSIGNMENT = "mse_gradient"
DUE = datetime(2026, 12, 4, 16, 0)  # the policy's "2026-12-04 17:00 Europe/Paris", in UTC
POLICIES = {ASSIGNMENT: {"due": "2026-12-04 17:00 Europe/Paris", "extensions": {"erin": "1d"}}}


@pytest.fixture(scope="module")
def released(course: Course) -> Iterator[Course]:
    with scratch_course(course) as scratch:
        config = scratch.root / "nbgrader_config.py"
        config.write_text(config.read_text() + f"\nc.Gradelab.policies = {POLICIES!r}\n")
        nbgrader_commands.release(scratch, ASSIGNMENT)
        yield Course.load(scratch.root)


def full_marks(course: Course, student: str) -> GradedSubmission:
    """Every grade cell of the assignment at its full points."""
    with open_gradebook(course) as gradebook:
        notebooks = gradebook.find_assignment(ASSIGNMENT).notebooks
        return GradedSubmission(
            student,
            [
                GradedNotebook(
                    notebook.name, "", {cell.name: cell.max_score for cell in notebook.grade_cells}
                )
                for notebook in notebooks
            ],
        )


def recorded(course: Course, student: str) -> tuple[timedelta | None, float, float, list]:
    """The submission's extension, score, late penalty and manual scores in the gradebook."""
    with open_gradebook(course) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        manual = [g.manual_score for n in submission.notebooks for g in n.grades]
        return submission.extension, submission.score, submission.late_submission_penalty, manual


def test_an_extension_set_in_the_gradebook_stays_and_the_larger_one_counts(released):
    writer = GradebookWriter(released, ASSIGNMENT)
    for student in ("dave", "erin"):
        writer.record([(full_marks(released, student), DUE - timedelta(hours=1))])
        with open_gradebook(released) as gradebook:  # as an instructor does it in nbgrader
            gradebook.update_or_create_submission(ASSIGNMENT, student, extension=timedelta(hours=6))
    two_hours_late = DUE + timedelta(hours=2)
    assert writer.score_after_penalty(full_marks(released, "dave"), two_hours_late) == (
        writer.max_score
    )
    writer.record([(full_marks(released, s), two_hours_late) for s in ("dave", "erin")])
    extension, score, penalty, _ = recorded(released, "dave")
    assert extension == timedelta(hours=6)
    assert penalty == 0 and score == writer.max_score
    extension, score, penalty, _ = recorded(released, "erin")  # the policy gives 1 day
    assert extension == timedelta(days=1)
    assert penalty == 0 and score == writer.max_score

    a_day_late = DUE + timedelta(days=1, hours=1)  # beyond dave's extension: 10% off
    writer.record([(full_marks(released, "dave"), a_day_late)])
    extension, score, penalty, _ = recorded(released, "dave")
    assert extension == timedelta(hours=6)
    assert penalty == pytest.approx(writer.max_score * 0.1)


def give_by_hand(course: Course, student: str, points: float) -> None:
    """A grader overrides the first grade cell's score in formgrader."""
    with open_gradebook(course) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        grade = submission.notebooks[0].grades[0]
        grade.manual_score = points
        submission.notebooks[0].comments[0].manual_comment = "see me"
        gradebook.db.commit()


def test_a_score_given_by_hand_stays_on_a_regrade_and_goes_with_a_new_submission(released):
    writer = GradebookWriter(released, ASSIGNMENT)
    first = DUE - timedelta(hours=3)
    writer.record([(full_marks(released, "frank"), first)])
    give_by_hand(released, "frank", 0.0)
    _, score, _, manual = recorded(released, "frank")
    assert manual.count(0.0) == 1 and score < writer.max_score

    writer.record([(full_marks(released, "frank"), first)])  # the same submission, regraded
    _, score, _, manual = recorded(released, "frank")
    assert manual.count(0.0) == 1 and score < writer.max_score
    with open_gradebook(released) as gradebook:
        assert gradebook.find_submission(ASSIGNMENT, "frank").needs_manual_grade

    writer.record([(full_marks(released, "frank"), first + timedelta(hours=1))])  # a new one
    _, score, _, manual = recorded(released, "frank")
    assert manual == [None] * len(manual) and score == writer.max_score
    with open_gradebook(released) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, "frank")
        assert not submission.needs_manual_grade
        assert [c.manual_comment for n in submission.notebooks for c in n.comments] == [None] * (
            sum(len(n.comments) for n in submission.notebooks)
        )


def test_a_refused_resubmission_scores_0_whatever_was_given_by_hand(released):
    writer = GradebookWriter(released, ASSIGNMENT)
    writer.record([(full_marks(released, "grace"), DUE - timedelta(hours=3))])
    give_by_hand(released, "grace", 1.0)
    writer.refuse("grace", "the notebook is not valid JSON", DUE - timedelta(hours=1))
    _, score, _, manual = recorded(released, "grace")
    assert score == 0 and manual == [None] * len(manual)


def test_the_feedback_page_gives_the_larger_extension_and_due_date(released):
    policy = released.policy(ASSIGNMENT)
    submitted = DUE.replace(tzinfo=UTC) + timedelta(hours=2)
    now = DUE.replace(tzinfo=UTC)
    lines = policy_lines(policy, "dave", submitted, None, now, timedelta(hours=6))
    assert "with your extension of 6 hours" in lines[0] and "after your due date" not in lines[0]
    lines = policy_lines(policy, "erin", submitted, None, now, timedelta(hours=6))
    assert "with your extension of 1 day" in lines[0]
