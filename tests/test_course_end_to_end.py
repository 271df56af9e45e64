"""The instructor's commands on a real course copy: nbgrader and gradelab agree."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradelab.autograde.run import autograde
from gradelab.scores import assignment_scores
from gradelab.selftest.samples import place_samples

BIN = Path(sys.executable).parent


def test_nbgrader_autograde_and_gradelab_autograde_give_the_same_scores(released_course, gradelab):
    place_samples(released_course, "mse_gradient")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for student in ("sign_flipped", "reference", "returns_list"):
        subprocess.run(
            [str(BIN / "nbgrader"), "autograde", "mse_gradient", f"--student={student}"],
            cwd=released_course.root,
            env=env,
            check=True,
            capture_output=True,
        )
    by_nbgrader = assignment_scores(released_course, "mse_gradient")
    run = gradelab("autograde", "mse_gradient", "--force", cwd=released_course.root)
    assert run.returncode == 0, run.stderr
    by_gradelab = assignment_scores(released_course, "mse_gradient")
    for student in ("sign_flipped", "reference", "returns_list"):
        assert by_nbgrader[student] == by_gradelab[student]
    assert by_gradelab["reference"].score == by_gradelab["reference"].max_score == 22
    assert by_gradelab["sign_flipped"].score == 14


def test_export_lists_the_gradebook_scores(released_course, gradelab):
    place_samples(released_course, "mse_gradient")
    autograde(released_course, "mse_gradient", "raises", force=True, weak=False)
    target = released_course.root / "gradebook" / "grades.csv"
    assert gradelab("export", cwd=released_course.root).returncode == 0
    rows = {row["student_id"]: row for row in csv.DictReader(target.open())}
    scores = assignment_scores(released_course, "mse_gradient")
    assert float(rows["raises"]["score"]) == scores["raises"].score == 16


@pytest.mark.parametrize("command", ["release", "autograde", "feedback", "export", "selftest"])
def test_every_command_has_help_with_an_example(command, course, gradelab):
    run = gradelab(command, "--help", cwd=course.root)
    assert run.returncode == 0 and f"gradelab {command}" in run.stdout.split("example:")[1]


def test_outside_a_course_gradelab_says_where_it_looked(tmp_path, gradelab):
    run = gradelab("autograde", "mse_gradient", cwd=tmp_path)
    assert run.returncode == 2
    assert f"{tmp_path}/nbgrader_config.py: not found" in run.stderr


def test_autograde_refuses_a_config_that_would_run_student_code_in_a_kernel(
    released_course, gradelab
):
    config = released_course.root / "nbgrader_config.py"
    original = config.read_text()
    config.write_text(
        original.replace(
            "gradelab.grading.nbgrader_step.GradeInSandbox", "nbgrader.preprocessors.Execute"
        )
    )
    try:
        run = gradelab("autograde", "mse_gradient", cwd=released_course.root)
    finally:
        config.write_text(original)
    assert run.returncode == 2
    assert "Autograde.autograde_preprocessors does not list" in run.stderr
