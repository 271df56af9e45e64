"""Commands that behave as the tools instructors know: a version, quiet and verbose logs that
name what they are about, escaped; no traceback when a reader closes the pipe; a run stopped
by a broken suite says so, and nothing that did not happen."""

import logging
import subprocess

from conftest import BIN, REPO

from gradelab.autograde.run import AutogradeRun
from gradelab.autograde.summary import run_summary
from gradelab.logs import FORMAT, ContextFilter, context, level_of


def test_version_is_the_installed_packages():
    run = subprocess.run([BIN / "gradelab", "--version"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "gradelab 0.1.0"


def test_a_reader_that_closes_the_pipe_ends_the_command_without_a_traceback():
    command = [BIN / "gradelab", "key", "derivatives_quiz", "--student", "ann"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # as `| head` does once it has its lines
    stderr = process.stderr.read().decode()
    assert process.wait() != 0 or stderr == ""
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_a_log_line_names_course_assignment_and_student_escaped():
    record = logging.LogRecord("gradelab", logging.INFO, __file__, 1, "graded", None, None)
    for key, value in context(course="gd", assignment="week1", student="eve\x1b[2J").items():
        setattr(record, key, value)
    ContextFilter().filter(record)
    line = logging.Formatter(FORMAT).format(record)
    assert "[course=gd assignment=week1 student=eve\\x1b[2J] graded" in line
    assert "\x1b" not in line


def test_quiet_verbose_and_log_level_choose_the_level():
    assert level_of(quiet=True, verbose=0, log_level=None) == logging.ERROR
    assert level_of(quiet=False, verbose=1, log_level=None) == logging.INFO
    assert level_of(quiet=False, verbose=2, log_level=None) == logging.DEBUG
    assert level_of(quiet=True, verbose=0, log_level="debug") == logging.DEBUG


def test_a_run_stopped_by_a_broken_suite_says_only_what_happened():
    run = AutogradeRun(graded=["zz_ref"], stopped="a hidden test is broken: test_x.py:3")
    run.failed = {"zz_ref": run.stopped}
    lines = run_summary(run)
    assert lines[0] == "grading stopped before any student: a hidden test is broken: test_x.py:3"
    assert "nothing was changed" in lines[1] and "1 submission waiting" in lines[1]
    assert not any("graded 0" in line or "failed 1" in line for line in lines)
