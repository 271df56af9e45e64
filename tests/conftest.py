"""Shared fixtures: the real course of this repository and a released scratch copy of it."""

import contextlib
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from course_files import reference_solution

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.grading.grade_notebook import CellGrade, grade_notebook
from gradelab.grading.sample_submission import Sample, submission_notebook
from gradelab.sandbox.limits import NOBODY, Limits
from gradelab.selftest import scratch_course

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def nobody_processes() -> set[str]:
    """PIDs of processes running as the sandbox user, as seen from the host."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == NOBODY:
                found.add(entry.name)
        except FileNotFoundError:
            pass
    return found


@pytest.fixture(scope="session")
def sandbox_processes():
    """A function listing the sandbox user's processes now."""
    return nobody_processes


@pytest.fixture(scope="session")
def course() -> Course:
    return Course.load(REPO)


@pytest.fixture(scope="session")
def released_copy(course: Course) -> Iterator[Callable[[str], Course]]:
    """``released_copy(assignment)``: a throwaway copy of the course, with an empty gradebook,
    in which that assignment is released (one copy per assignment, shared by the tests)."""
    copies: dict[str, Course] = {}
    with contextlib.ExitStack() as stack:

        def release(assignment: str) -> Course:
            if assignment not in copies:
                copies[assignment] = stack.enter_context(scratch_course(course))
                nbgrader_commands.release(copies[assignment], assignment)
            return copies[assignment]

        yield release


@pytest.fixture(scope="module")
def released(request: pytest.FixtureRequest, released_copy: Callable[[str], Course]) -> Course:
    """The released copy of the course for the test module's ``ASSIGNMENT``."""
    return released_copy(request.module.ASSIGNMENT)


@pytest.fixture(scope="module")
def reference(request: pytest.FixtureRequest) -> ModuleType:
    """The reference solution of the test module's ``ASSIGNMENT``."""
    return reference_solution(request.module.ASSIGNMENT)


@pytest.fixture(scope="session")
def released_course(released_copy: Callable[[str], Course]) -> Course:
    """The copy of the course with mse_gradient released."""
    return released_copy("mse_gradient")


@pytest.fixture(scope="session")
def grade_sample() -> Callable[..., dict[str, CellGrade]]:
    """``grade_sample(course, assignment, sample, student=None)``: grade a sample submission
    (``gradelab.selftest.samples.Sample``) directly, in the sandbox with the hidden suite, without
    nbgrader; ``student`` defaults to the sample's own name."""

    def grade(
        course: Course, assignment: str, sample: Sample, student: str | None = None
    ) -> dict[str, CellGrade]:
        text = submission_notebook(course, assignment, assignment, sample)
        notebook = nbformat.reads(text, as_version=4)
        return grade_notebook(notebook, course, assignment, student or sample.student, Limits())

    return grade


@pytest.fixture(scope="session")
def gradelab() -> Callable[..., subprocess.CompletedProcess]:
    """``gradelab(*args, cwd=...)``: run this environment's ``gradelab`` command, as an
    instructor would, and return what it printed and its exit status."""

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        command = [str(BIN / "gradelab"), *args]
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)

    return run


SYSTEM_PYTHON = "/usr/bin/python3"


def course_pins(*names: str) -> list[str]:
    """The pins of ``names`` in the instructor and dev extras (the system's Python is older
    than the one constraints.txt was made with, so only these are pinned for students)."""
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = [*extras["optional-dependencies"]["instructor"], *extras["optional-dependencies"]["dev"]]
    return [pin for pin in pins if pin.split("==")[0] in names]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The gradelab wheel, built from this repository."""
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


@pytest.fixture(scope="session")
def student_env(wheel) -> Iterator[Path]:
    """What a hub image gives students: JupyterLab, JupyterHub's single-user server,
    nbgrader (its Assignments tab and exchange client) and the gradelab wheel, in an
    environment built from the system's Python where every Unix user may run it."""
    if not Path(SYSTEM_PYTHON).exists():
        pytest.fail(f"{SYSTEM_PYTHON} is missing: the student environment is built from it")
    folder = Path(tempfile.mkdtemp(prefix="gradelab-students-", dir="/var/tmp"))
    folder.chmod(0o755)
    env = folder / "venv"
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(env)], check=True)
    install = [
        str(env / "bin" / "pip"),
        "install",
        "-q",
        *course_pins("jupyterlab", "nbgrader", "jupyterhub"),
    ]
    subprocess.run([*install, str(wheel)], check=True, capture_output=True, timeout=1200)
    try:
        yield env
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def planted_class(course: Course) -> Iterator[Course]:
    """A scratch copy of the course in which a class of 30 planted submissions of mse_gradient,
    one question's key wrong, is graded and given feedback (see ``planted_batch``)."""
    from planted_batch import ASSIGNMENT, graded_planted_class

    from gradelab.feedback.write import write_feedback

    with graded_planted_class(course) as graded:
        write_feedback(graded, ASSIGNMENT)
        yield graded
