"""A course as cloned is open to every account on the machine: ``gradelab serve`` refuses to
start until it is the instructor's alone, naming each path and the fix; it mends the
exchange's folders to nbgrader's modes and sticky bits, and says so; and its log shows a
name a student chose escaped, never as terminal commands."""

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from serving import BIN, serve_course, serving, wait_until

from gradelab.course import Course
from gradelab.errors import CourseError
from gradelab.selftest import scratch_course
from gradelab.serve.deployment import check_course, readable_by_others

ASSIGNMENT = "mse_gradient"
STUDENT = "glw-eve"
ENTRY = f"alice+{ASSIGNMENT}+junk\x1b[2J\x1b]0;owned\x07"


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every account can enter, as /srv/courses is."""
    folder = Path(tempfile.mkdtemp(prefix="gradelab-deploy-", dir="/var/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cloned(course: Course, folder: Path) -> Course:
    """The course copied as ``git clone`` leaves it: folders 755, files 644."""
    with scratch_course(course, keep=folder / "course") as copy:
        for path in [copy.root, *copy.root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return copy


def test_a_course_others_can_read_is_refused_naming_each_path_and_the_fix(course, open_folder):
    copy = cloned(course, open_folder)
    with pytest.raises(CourseError) as refused:
        check_course(copy)
    said = str(refused.value)
    assert f"{copy.root} (mode 755): chmod 700 {copy.root}" in said
    assert f"{copy.root / 'solutions'} (mode 755): chmod 700 {copy.root}" in said
    copy.root.chmod(0o700)
    check_course(copy)


def test_private_parts_linked_out_of_the_course_are_checked_where_they_are(course, open_folder):
    copy = cloned(course, open_folder)
    copy.root.chmod(0o700)
    elsewhere = open_folder / "solutions"
    shutil.move(copy.root / "solutions", elsewhere)
    (copy.root / "solutions").symlink_to(elsewhere)
    with pytest.raises(CourseError, match=f"chmod 700 {elsewhere}"):
        check_course(copy)
    elsewhere.chmod(0o700)
    check_course(copy)


def write_entry(inbound: Path, release: Path) -> None:
    """A complete submission placed by hand under a name with terminal escape sequences."""
    entry = inbound / ENTRY
    entry.mkdir()
    shutil.copy(release / f"{ASSIGNMENT}.ipynb", entry)
    (entry / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
    (entry / "submission_secret.txt").write_text("0" * 32)


@pytest.mark.slow
def test_serve_refuses_an_open_course_then_starts_mends_the_exchange_and_escapes_names(
    course, open_folder
):
    copy = cloned(course, open_folder)
    exchange = open_folder / "exchange"
    serve_course(copy, exchange, {}, [ASSIGNMENT])
    copy = Course.load(copy.root)
    refused = subprocess.run(
        [str(BIN / "gradelab"), "serve"], cwd=copy.root, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0
    assert f"chmod 700 {copy.root}" in refused.stderr and "docs/deploy.md" in refused.stderr
    inbound = exchange / copy.course_id / "inbound"
    assert not stat.S_IMODE(inbound.stat().st_mode) & stat.S_ISVTX, "nbgrader sets no sticky bit"

    copy.root.chmod(0o700)
    write_entry(inbound, copy.release_folder(ASSIGNMENT))
    with serving(copy, open_folder / "serve.log") as service:
        wait_until(lambda: "+junk" in service.text(), 120, "a line on the entry")
        log = service.text()
    assert stat.S_IMODE(inbound.stat().st_mode) == 0o3733
    assert stat.S_IMODE(exchange.stat().st_mode) & stat.S_ISVTX
    assert f"{inbound}: mode 2733 is now 3733" in log
    assert "\x1b" not in log and "\x07" not in log
    assert "junk%1B%5B2J%1B%5D0%3Bowned%07" in log  # the entry's name as the service's key


def run_as(name: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", name, "--", *command], capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def student_account() -> Iterator[str]:
    subprocess.run(["userdel", "--remove", STUDENT], capture_output=True)
    subprocess.run(["useradd", "--no-create-home", STUDENT], check=True, capture_output=True)
    try:
        yield STUDENT
    finally:
        subprocess.run(["userdel", STUDENT], capture_output=True)


@pytest.mark.serial
def test_a_student_account_reads_the_solutions_of_a_cloned_course_until_it_is_closed(
    course, open_folder, student_account
):
    copy = cloned(course, open_folder)
    solution = copy.reference_solution(ASSIGNMENT)
    read = run_as(student_account, "cat", str(solution))
    assert read.returncode == 0 and "def " in read.stdout, "the attack of the issue"
    with pytest.raises(CourseError, match=str(copy.root)):
        check_course(copy)
    copy.root.chmod(0o700)
    check_course(copy)
    assert run_as(student_account, "cat", str(solution)).returncode != 0


OTHERS = st.integers(0, 7)


@pytest.mark.serial
@settings(max_examples=25, deadline=None)
@given(top=OTHERS, folder=OTHERS, file=OTHERS)
def test_the_check_says_readable_exactly_when_a_student_account_can_read(
    student_account, top, folder, file
):
    base = Path(tempfile.mkdtemp(prefix="gradelab-modes-", dir="/var/tmp"))
    try:
        (base / "solutions").mkdir()
        target = base / "solutions" / "answers.py"
        target.write_text("key = 42\n")
        base.chmod(0o700 | top)
        (base / "solutions").chmod(0o700 | folder)
        target.chmod(0o600 | file)
        can_read = run_as(student_account, "cat", str(target)).returncode == 0
        can_list = run_as(student_account, "ls", str(base / "solutions")).returncode == 0
        assert readable_by_others(target) == can_read
        if can_list:
            assert readable_by_others(base / "solutions")
    finally:
        shutil.rmtree(base, ignore_errors=True)
        assert not os.path.exists(base)
