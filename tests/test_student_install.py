"""What a student installs: the gradelab wheel beside JupyterLab (and nbgrader, for its
Assignments tab), in a fresh environment built from the system's Python, runs every release
notebook and its public checks. The instructor's side (pytest, Dask, the hidden suites) is an
extra the student never needs."""

import json
import shutil
import subprocess
import zipfile

import nbformat
import pytest

from gradelab.grading.grade_notebook import is_test_cell
from gradelab.grading.sample_submission import Sample, submission_notebook

ASSIGNMENTS = ("gradients", "mse_gradient", "update_step", "learning_rate", "sgd_logistic")


def test_the_wheel_needs_only_numpy_and_sympy_without_the_instructor_extra(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
        assert any(n.endswith("templates/new_assignment/checks.py") for n in archive.namelist())
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    always = {line.split()[1].split("==")[0] for line in requires if "extra ==" not in line}
    assert always == {"numpy", "sympy"}
    assert any("nbgrader" in line and 'extra == "instructor"' in line for line in requires)


@pytest.mark.slow
def test_a_fresh_environment_with_jupyterlab_and_the_wheel_runs_every_release_notebook(
    student_env, released_copy, tmp_path
):
    python = student_env / "bin" / "python"
    for missing in ("pytest", "distributed"):
        probe = subprocess.run([str(python), "-c", f"import {missing}"], capture_output=True)
        assert probe.returncode != 0, f"{missing} was installed for a student"
    for assignment in ASSIGNMENTS:
        course = released_copy(assignment)
        folder = tmp_path / assignment
        shutil.copytree(course.release_folder(assignment), folder)
        answers = Sample("alice", None, "the reference answers, typed in")
        notebook = folder / f"{assignment}.ipynb"
        notebook.write_text(submission_notebook(course, assignment, assignment, answers))
        command = [
            str(student_env / "bin" / "jupyter"),
            "nbconvert",
            "--to=notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=300",
            "--output=executed.ipynb",
            str(notebook),
        ]
        run = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, f"{assignment}: {run.stderr[-2000:]}"
        executed = nbformat.read(folder / "executed.ipynb", as_version=4)
        errors = [
            o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"
        ]
        assert not errors, f"{assignment}: {json.dumps(errors)[:2000]}"
        for cell in filter(is_test_cell, executed.cells):
            printed = "".join(output.get("text", "") for output in cell.outputs)
            assert "All public checks passed" in printed, (assignment, cell.metadata)
