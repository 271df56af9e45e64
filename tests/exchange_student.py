"""A student of the tests, on nbgrader's exchange: fetch an assignment, answer, submit and
fetch feedback with nbgrader's own exchange classes (what ``nbgrader fetch_assignment``,
``submit`` and ``fetch_feedback`` run), as the student whose id is given."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeError
from nbgrader.exchange.default import (
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeSubmit,
)
from traitlets.config import Config

from gradelab.course import Course
from gradelab.grading.sample_submission import Sample, submission_notebook


@dataclass
class ExchangeStudent:
    student: str
    home: Path
    exchange: Path
    course_id: str

    def _config(self, assignment: str) -> Config:
        config = Config()
        config.Exchange.root = str(self.exchange)
        config.Exchange.cache = str(self.home / ".nbgrader_cache")
        config.Exchange.assignment_dir = str(self.home)
        config.CourseDirectory.course_id = self.course_id
        config.CourseDirectory.assignment_id = assignment
        config.CourseDirectory.student_id = self.student
        return config

    def _run(self, exchange_class: type, assignment: str):
        config = self._config(assignment)
        step = exchange_class(
            coursedir=CourseDirectory(config=config),
            authenticator=Authenticator(config=config),
            config=config,
        )
        step.start()
        return step

    def fetch(self, assignment: str) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        if not (self.home / assignment).is_dir():
            self._run(ExchangeFetchAssignment, assignment)
        return self.home / assignment

    def answer(self, assignment: str, notebook: str, text: str) -> None:
        (self.fetch(assignment) / f"{notebook}.ipynb").write_text(text)

    def submit(self, assignment: str) -> str:
        """Submit; the name of the entry it made in the exchange's inbound folder."""
        step = self._run(ExchangeSubmit, assignment)
        return step.assignment_filename

    def fetch_feedback(self, assignment: str) -> list[Path]:
        """Fetch feedback; every feedback page the student now has (none while the
        exchange has no feedback folder: nbgrader then says "not found")."""
        try:
            self._run(ExchangeFetchFeedback, assignment)
        except ExchangeError:
            return []
        return sorted((self.home / assignment / "feedback").glob("*/*.html"))

    def wait_for_feedback(
        self, assignment: str, count: int = 1, seconds: float = 60, settled: Callable = bool
    ) -> list[Path]:
        """Fetch feedback until ``count`` submissions have some (and ``settled(pages)``)."""
        deadline = time.monotonic() + seconds
        while True:
            pages = self.fetch_feedback(assignment)
            if len(pages) >= count and settled(pages):
                return pages
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.student}: {len(pages)} feedback page(s) of {assignment} after "
                    f"{seconds} s, {count} expected"
                )
            time.sleep(0.3)


def sample_text(course: Course, assignment: str, sample: Sample) -> str:
    """A sample submission's notebook (see ``gradelab.selftest.samples``)."""
    return submission_notebook(course, assignment, assignment, sample)
