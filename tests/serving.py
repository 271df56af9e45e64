"""A course served by ``gradelab serve`` for the tests: a scratch copy of the course with an
exchange of its own, assignments released into it, and the service run as an instructor runs
it (its own process, stopped with SIGTERM, or killed)."""

from __future__ import annotations

import copy
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import ExchangeReleaseAssignment

from gradelab import nbgrader_commands
from gradelab.course import Course

BIN = Path(sys.executable).parent


def serve_course(course: Course, exchange: Path, policies: dict, assignments: list[str]) -> None:
    """Point ``course`` at ``exchange`` with ``policies``, and release ``assignments`` there."""
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o777)
    config = course.root / "nbgrader_config.py"
    config.write_text(
        config.read_text()
        + f"\nc.Exchange.root = {str(exchange)!r}\nc.Gradelab.policies = {policies!r}\n"
    )
    course = Course.load(course.root)
    for assignment in assignments:
        nbgrader_commands.release(course, assignment)
        release_to_exchange(course, assignment)


def exchange_step(course: Course, step: type, assignment: str, **settings: object) -> None:
    """One of nbgrader's exchange steps (its own class, ``step``) on ``assignment``, with
    the step's ``settings`` (``force=True`` for ``--force``)."""
    config = copy.deepcopy(course.config)
    config.CourseDirectory.assignment_id = assignment
    for name, value in settings.items():
        getattr(config, step.__name__)[name] = value
    step(
        coursedir=CourseDirectory(config=config),
        authenticator=Authenticator(config=config),
        config=config,
    ).start()


def release_to_exchange(course: Course, assignment: str) -> None:
    """``nbgrader release_assignment ASSIGNMENT --force``."""
    exchange_step(course, ExchangeReleaseAssignment, assignment, force=True)


class Serving:
    """A running ``gradelab serve`` and its log."""

    def __init__(self, course: Course, log: Path, *args: str) -> None:
        self.course, self.log = course, log
        with open(log, "a") as out:
            self.process = subprocess.Popen(
                [str(BIN / "gradelab"), "serve", *args],
                cwd=course.root,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.wait_for_log("serving ")

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_log(self, words: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while words not in self.text():
            if self.process.poll() is not None:
                raise AssertionError(f"gradelab serve ended: {self.text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {words!r} in the log after {seconds} s")
            time.sleep(0.1)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=60)


@contextmanager
def serving(course: Course, log: Path, *args: str) -> Iterator[Serving]:
    service = Serving(course, log, *args)
    try:
        yield service
    finally:
        service.stop()


def status(course: Course) -> dict:
    run = subprocess.run(
        [str(BIN / "gradelab"), "status", "--json"],
        cwd=course.root,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


def wait_until(condition, seconds: float = 60, what: str = "the condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.2)
