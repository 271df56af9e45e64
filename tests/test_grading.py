"""Grading one notebook: the reference scores full marks, wrong work does not, and the
student's feedback never shows the hidden tests."""

import shutil

import pytest

from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.selftest.samples import samples


@pytest.fixture(scope="module")
def grade(grade_sample):
    return lambda course, sample, student="alice": grade_sample(
        course, "mse_gradient", sample, student
    )


def by_name(course, name):
    return next(s for s in samples(course, "mse_gradient") if s.student == name)


def test_the_reference_scores_full_marks(grade, released_course):
    grades = grade(released_course, by_name(released_course, "reference"))
    assert {g: (c.earned, c.max_points) for g, c in grades.items()} == {
        "test_compute_gradient": (6, 6),
        "test_compute_gradient_wb": (4, 4),
        "test_sympy_derivatives": (4, 4),
        "test_typed_derivatives": (4, 4),
        "test_numerical_gradient": (4, 4),
    }


def test_the_blank_release_scores_zero_and_is_told_nothing_is_written(grade, released_course):
    grades = grade(released_course, by_name(released_course, "blank"))
    assert sum(c.earned for c in grades.values()) == 0
    assert "not written yet" in grades["test_compute_gradient"].feedback()


def test_a_sign_error_is_named_in_the_feedback(grade, released_course):
    grades = grade(released_course, by_name(released_course, "sign_flipped"))
    text = grades["test_compute_gradient"].feedback()
    assert grades["test_compute_gradient"].earned == 1
    assert "sign is flipped" in text


def test_summing_instead_of_averaging_is_named(grade, released_course):
    grades = grade(released_course, by_name(released_course, "summed_not_averaged"))
    assert "summed instead of averaged" in grades["test_compute_gradient"].feedback()


def test_feedback_never_shows_hidden_test_source_or_inputs(grade, released_course):
    suite = (released_course.hidden_suite("mse_gradient") / "test_mse_gradient.py").read_text()
    for name in ("sign_flipped", "returns_list", "raises", "blank"):
        for cell in grade(released_course, by_name(released_course, name)).values():
            text = cell.feedback()
            assert "def " not in text and "rng." not in text and "Traceback" not in text
            assert "assert " not in text
            for line in text.splitlines()[1:]:
                detail = line.partition(" - ")[2]
                assert not detail or detail not in suite


def test_a_hidden_suite_whose_points_disagree_with_the_notebook_is_refused(
    grade, released_course, tmp_path
):
    shutil.copytree(released_course.root, tmp_path / "course")
    course = Course.load(tmp_path / "course")
    test_file = course.hidden_suite("mse_gradient") / "test_mse_gradient.py"
    text = test_file.read_text()
    test_file.write_text(text.replace("points(2, cell=VECTOR)", "points(3, cell=VECTOR)"))
    with pytest.raises(AssignmentError, match="test_compute_gradient.*7 points.*6"):
        grade(course, by_name(course, "reference"))


def test_a_hidden_test_without_points_is_refused(grade, released_course, tmp_path):
    shutil.copytree(released_course.root, tmp_path / "course")
    course = Course.load(tmp_path / "course")
    test_file = course.hidden_suite("mse_gradient") / "test_mse_gradient.py"
    test_file.write_text(test_file.read_text() + "\n\ndef test_unmarked(student):\n    pass\n")
    with pytest.raises(AssignmentError, match="test_unmarked.*needs @pytest.mark.points"):
        grade(course, by_name(course, "reference"))
