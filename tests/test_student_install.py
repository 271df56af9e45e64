"""What a student installs: the gradelab wheel beside JupyterLab, in a fresh environment built
from the system's Python, runs every release notebook and its public checks. The instructor's
side (nbgrader, pytest, Dask) is an extra the student never needs."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from gradelab.grading.grade_notebook import is_test_cell
from gradelab.samples import Sample, submission_notebook

REPO = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = "/usr/bin/python3"
ASSIGNMENTS = ("gradients", "mse_gradient", "update_step", "learning_rate", "sgd_logistic")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        str(folder),
        str(REPO),
    ]
    subprocess.run(command, check=True, capture_output=True)
    return next(folder.glob("gradelab-*.whl"))


@pytest.fixture(scope="module")
def student_env(tmp_path_factory, wheel) -> Path:
    if not Path(SYSTEM_PYTHON).exists():
        pytest.fail(f"{SYSTEM_PYTHON} is missing: the student environment is built from it")
    env = tmp_path_factory.mktemp("student") / "venv"
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(env)], check=True)
    install = [str(env / "bin" / "pip"), "install", "-q", "jupyterlab", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=900)
    return env


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
    for missing in ("nbgrader", "pytest", "distributed"):
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
