"""Stopping autograde midway loses nothing: the next run finishes the rest."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradelab import nbgrader_commands
from gradelab.autograde.autograded_folder import is_graded
from gradelab.autograde.run import submitted_students
from gradelab.grading.sample_submission import Sample
from gradelab.scores import assignment_scores
from gradelab.selftest import Verdict, scratch_course
from gradelab.selftest.samples import place_samples, samples
from gradelab.serve.lock import running_service

BIN = Path(sys.executable).parent
COPIES = 150  # enough that a run is stopped while it still has work left


def start_autograde(course):
    """The command as a terminal starts it: Ctrl-C's default action restored (a shell's
    background job, which may have started these tests, passes SIGINT on ignored)."""
    return subprocess.Popen(
        [str(BIN / "gradelab"), "autograde", "mse_gradient"],
        cwd=course.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_until_some_are_graded(course, count, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [
            s
            for s in submitted_students(course, "mse_gradient")
            if is_graded(course, "mse_gradient", s)
        ]
        if len(done) >= count:
            return done
        time.sleep(0.05)
    raise AssertionError("autograde graded nothing in time")


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
@pytest.mark.serial
def test_a_stopped_run_is_finished_by_the_next_one(course, stop, sandbox_processes):
    with scratch_course(course) as scratch:
        config = scratch.root / "nbgrader_config.py"
        config.write_text(config.read_text() + "\nc.GradeInSandbox.call_seconds = 1.0\n")
        nbgrader_commands.release(scratch, "mse_gradient")
        copies = [Sample(f"copy{i:03d}", None, "the reference") for i in range(COPIES)]
        everyone = [*samples(scratch, "mse_gradient"), *copies]
        listed = place_samples(scratch, "mse_gradient", everyone)
        first = start_autograde(scratch)
        wait_until_some_are_graded(scratch, 2)
        assert running_service(scratch) == first.pid  # it holds the course's lock
        os.killpg(first.pid, stop)  # the whole command, as Ctrl-C or a kill would
        output, _ = first.communicate(timeout=60)
        assert first.returncode != 0, output[-3000:]
        if stop == signal.SIGINT:
            assert "Traceback" not in output
            claimed = re.search(r"stopped\. (\d+) graded submission\(s\) were recorded", output)
            assert claimed, output[-500:]
        deadline = time.monotonic() + 5
        while sandbox_processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sandbox_processes() == set()

        database = scratch.db_url.removeprefix("sqlite:///")
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        graded_before = {
            s
            for s in submitted_students(scratch, "mse_gradient")
            if is_graded(scratch, "mse_gradient", s)
        }
        assert 2 <= len(graded_before) < len(listed)
        if stop == signal.SIGINT:  # the message claims exactly what was recorded
            assert int(claimed.group(1)) == len(graded_before)

        second = start_autograde(scratch)
        output, _ = second.communicate(timeout=600)
        assert second.returncode == 0, output
        assert f"already graded {len(graded_before)}" in output
        scores = assignment_scores(scratch, "mse_gradient")
        verdicts = [Verdict(sample, scores.get(sample.student)) for sample in listed]
        assert [v.sample.student for v in verdicts if not v.ok] == []


RECORD_WITH_CTRL_C = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, where a job
# started in the background (``make test &``) would otherwise inherit SIGINT ignored
from gradelab.autograde.autograded_folder import AutogradedWriter
from gradelab.autograde.gradebook_writer import GradebookWriter
from gradelab.autograde.run import Recorder
from gradelab.course import Course
from gradelab.grading.submission import GradedNotebook, GradedSubmission

class CtrlCWhileWriting(AutogradedWriter):
    pressed = False

    def write(self, graded):
        if graded.student == "s1" and not self.pressed:  # Ctrl-C, amid the batch's folders
            self.pressed = True
            os.kill(os.getpid(), signal.SIGINT)
        super().write(graded)

course = Course.load(sys.argv[1])
recorder = Recorder(GradebookWriter(course, "mse_gradient"), {})
recorder.folders = CtrlCWhileWriting(course, "mse_gradient")
for name in ("s0", "s1", "s2"):
    text = (course.submission_folder(name, "mse_gradient") / "mse_gradient.ipynb").read_text()
    recorder.pending.append(GradedSubmission(name, [GradedNotebook("mse_gradient", text)]))
try:
    try:
        recorder.flush()
    finally:  # as autograde does: stopped or not, what was graded is recorded
        recorder.flush()
except KeyboardInterrupt:
    print("stopped", recorder.recorded)
"""


@pytest.mark.slow
def test_ctrl_c_amid_a_batch_records_it_whole_and_counts_each_submission_once(course):
    with scratch_course(course) as scratch:
        nbgrader_commands.release(scratch, "mse_gradient")
        names = ["s0", "s1", "s2"]
        place_samples(scratch, "mse_gradient", [Sample(n, None, "the reference") for n in names])
        run = subprocess.run(
            [sys.executable, "-c", RECORD_WITH_CTRL_C, str(scratch.root)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        written = [n for n in names if scratch.autograded_folder(n, "mse_gradient").is_dir()]
        assert run.stdout.split() == ["stopped", str(len(written))], run.stdout + run.stderr
        assert written == names


def worker_processes(coordinator: int) -> list[int]:
    """The grading workers: the coordinator's children other than the sandbox fork server."""
    children = Path(f"/proc/{coordinator}/task/{coordinator}/children").read_text().split()
    return [
        int(pid)
        for pid in children
        if b"gradelab.sandbox.forkserver" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


@pytest.mark.slow
def test_a_dead_worker_fails_only_what_it_had_and_the_next_run_grades_it(course):
    with scratch_course(course) as scratch:
        nbgrader_commands.release(scratch, "mse_gradient")
        copies = [Sample(f"copy{i:03d}", None, "the reference") for i in range(COPIES)]
        everyone = [*samples(scratch, "mse_gradient"), *copies]
        listed = place_samples(scratch, "mse_gradient", everyone)
        first = start_autograde(scratch)
        wait_until_some_are_graded(scratch, 2)
        os.kill(worker_processes(first.pid)[0], signal.SIGKILL)  # as the OOM killer would
        output, _ = first.communicate(timeout=600)
        assert first.returncode == 1, output
        assert "grading failed (a grading worker process died" in output
        graded_before = [s for s in submitted_students(scratch, "mse_gradient")
                         if is_graded(scratch, "mse_gradient", s)]  # fmt: skip
        assert 2 <= len(graded_before) < len(listed)

        second = start_autograde(scratch)
        output, _ = second.communicate(timeout=600)
        assert second.returncode == 0, output
        scores = assignment_scores(scratch, "mse_gradient")
        assert sorted(scores) == sorted(sample.student for sample in listed)
        verdicts = [Verdict(sample, scores.get(sample.student)) for sample in listed]
        assert [v.sample.student for v in verdicts if not v.ok] == []
