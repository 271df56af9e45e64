"""The pytest plugin behind hidden suites: fixtures, the ``points`` marker, per-test results.

A hidden test is a plain pytest function (see ``gradelab.testing`` for the author's guide)::

    @pytest.mark.points(2, cell="test_compute_gradient")
    def test_matches_reference(student, reference, rng):
        X, y, w = ...
        expect_close(student.compute_gradient(X, y, w), reference.compute_gradient(X, y, w))

A test's outcome is the student's (it passed, it failed with a one-line message, it earned
partial credit) or the author's. On the reference solution (``strict``), any other exception
means the test itself is broken, and no submission may be graded with it (``SuiteRun.broken``
names the file and line). On a submission, once the suite has passed the reference, such an
exception comes of what the submission returned (a ``TypeError`` on an odd object): the test
fails for that student.
"""

from __future__ import annotations

import copy
import importlib.util
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from gradelab.grading.plots import Plot, line_chart
from gradelab.sandbox.session import Session, SubmissionError
from gradelab.student.variants import stable_seed
from gradelab.testing import PartialCredit
from gradelab.text import one_line

MARKER = "points(n, cell): the test is worth n points of the nbgrader grade cell `cell`"
#: The longest feedback line a test may give a student.
MESSAGE_CHARS = 400


@dataclass
class Outcome:
    """One hidden test's outcome, as the student may see it."""

    title: str
    cell: str
    points: float
    earned: float
    message: str = ""
    public: bool = False


class Student:
    """The submission as the hidden tests see it: attribute calls run in the sandbox.

    A call gets a time limit scaled from the reference solution's time on the same input
    (``Limits.call_factor`` times it, at least ``Limits.call_seconds``), so a loop is
    stopped in about a second while slow-but-right code still has room.
    """

    def __init__(
        self, session: Session, reference: ModuleType, hidden: tuple[str, ...] = ()
    ) -> None:
        self._session = session
        self._reference = reference
        self._hidden = hidden

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            seconds = self._time_limit(name, args, kwargs)
            return self._session.call_without(self._hidden, seconds, name, *args, **kwargs)

        call.__name__ = name
        return call

    def without(self, *names: str) -> Student:
        """The submission with its ``names`` gone while a call runs (see
        ``gradelab.testing.expect_uses``)."""
        return Student(self._session, self._reference, names)

    def _time_limit(self, name: str, args: tuple, kwargs: dict) -> float:
        limits = self._session.limits
        solution = getattr(self._reference, name, None)
        if not callable(solution):
            return limits.call_seconds
        started = time.perf_counter()
        try:
            solution(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except Exception:  # noqa: BLE001 - a test may call with inputs the reference refuses
            return limits.call_seconds
        return max(limits.call_seconds, limits.call_factor * (time.perf_counter() - started))

    def value(self, name: str) -> Any:
        """The value of the submission's variable ``name``, as data."""
        return self._session.get(name)


def load_reference(path: Path) -> ModuleType:
    """Import a reference-solution module from its file, under a private module name."""
    spec = importlib.util.spec_from_file_location(f"gradelab_reference_{path.stem}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise FileNotFoundError(f"{path}: no reference solution")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def title_of(item: pytest.Item) -> str:
    """The test's title for the student: a ``title`` marker, else its docstring's first line,
    else its name."""
    marker = item.get_closest_marker("title")
    if marker is not None and marker.args:
        return str(marker.args[0])
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    if doc and doc.strip():
        return doc.strip().splitlines()[0]
    return item.name.removeprefix("test_").replace("_", " ")


def failure_message(error: BaseException, title: str) -> str:
    """One line for the student: never the test's source, traceback or hidden inputs."""
    if isinstance(error, SubmissionError):
        return one_line(error.feedback, MESSAGE_CHARS)
    if isinstance(error, PartialCredit):
        return one_line(error.message, MESSAGE_CHARS)
    if error.args and str(error.args[0]).strip():
        return one_line(str(error.args[0]), MESSAGE_CHARS)
    return f"failed: {title}"


def where_it_broke(item: pytest.Item, excinfo: pytest.ExceptionInfo, course_root: Path) -> str:
    """``autograder/a/test_x.py:12 (test_name): NameError: ...``: the deepest line of the
    instructor's files (the suite, the reference, the public modules) in the traceback."""
    place = f"{item.path}:{item.location[1] + 1}"
    for entry in excinfo.traceback:
        path = Path(str(entry.path))
        if path.is_relative_to(course_root):
            place = f"{path}:{entry.lineno + 1}"
    place = place.removeprefix(f"{course_root}/")
    return f"{place} ({item.name}): {one_line(excinfo.exconly(), 300)}"


class GradingPlugin:
    """Binds a hidden suite, collected once, to one submission at a time and records each
    test's score for it."""

    def __init__(self, reference: ModuleType, secret: str, course_root: Path) -> None:
        self.reference_module = reference
        self.secret = secret
        self.course_root = course_root
        self.planned: dict[str, Outcome] = {}
        self.setup_problems: list[str] = []
        self.session: Session | None = None
        self.identity: tuple[str, str, str] = ("", "", "")
        self.results: dict[str, Outcome] = {}
        self.plots: list[Plot] = []
        self.broken: list[str] = []
        self.strict = True

    def bind(
        self, session: Session, identity: tuple[str, str, str], cells: set[str], strict: bool
    ) -> None:
        """Grade the submission of ``session`` next: ``identity`` is (course id, assignment,
        student id) and seeds the student's data; only tests of ``cells`` run; ``strict``:
        a test's own error breaks the suite (the reference), else fails the test."""
        self.session = session
        self.strict = strict
        self.identity = identity
        self.results = {
            nodeid: replace(outcome)
            for nodeid, outcome in self.planned.items()
            if outcome.cell in cells
        }
        self.plots = []
        self.broken = []

    @pytest.fixture
    def student(self, reference: ModuleType) -> Student:
        return Student(self.session, reference)

    @pytest.fixture(scope="session")
    def reference(self) -> ModuleType:
        return self.reference_module

    @pytest.fixture(scope="session")
    def course_id(self) -> str:
        return self.identity[0]

    @pytest.fixture(scope="session")
    def student_id(self) -> str:
        """The id of the student whose submission is being graded."""
        return self.identity[2]

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        return np.random.default_rng(stable_seed(self.secret, *self.identity, request.node.name))

    @pytest.fixture
    def plot(self, request: pytest.FixtureRequest) -> Callable[..., None]:
        """``plot(title, {label: values}, xlabel=..., ylabel=..., log_y=..., level=...)``:
        add a line chart to this test's cell in the student's feedback."""
        cell = str(request.node.get_closest_marker("points").kwargs["cell"])

        def draw(title: str, curves: Mapping[str, Any], **options: Any) -> None:
            self.plots.append(Plot(cell, title, line_chart(title, curves, **options)))

        return draw

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", MARKER)
        config.addinivalue_line("markers", "title(text): the test's title in the feedback")
        config.addinivalue_line(
            "markers",
            "public: its result is shown before the due date (see gradelab.course.policy)",
        )

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            last = str(report.longrepr).strip().splitlines()[-1:] or ["cannot be collected"]
            self.setup_problems.append(f"{report.nodeid}: {last[0]}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            marker = item.get_closest_marker("points")
            place = f"{item.nodeid} (line {item.location[1] + 1})"
            if marker is None or not marker.args or "cell" not in marker.kwargs:
                self.setup_problems.append(
                    f"{place}: a hidden test needs @pytest.mark.points(n, cell='grade_id')"
                )
                continue
            try:
                points = float(marker.args[0])
            except (TypeError, ValueError):
                self.setup_problems.append(
                    f"{place}: points must be a number, not {marker.args[0]!r}"
                )
                continue
            self.planned[item.nodeid] = Outcome(
                title_of(item),
                str(marker.kwargs["cell"]),
                points,
                0.0,
                "not run",
                item.get_closest_marker("public") is not None,
            )

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        """Record the test's outcome; report it in one line, without pytest's long failure
        report (source and traceback), which no one reads here and which is costly."""
        result = self.results.get(item.nodeid)
        error = call.excinfo.value if call.excinfo is not None else None
        if result is not None and error is not None:
            result.earned, result.message = 0.0, failure_message(error, result.title)
            if isinstance(error, PartialCredit):
                result.earned = round(result.points * error.fraction, 6)
            elif isinstance(error, SubmissionError | AssertionError):
                pass
            elif self.strict or call.when != "call":
                self.broken.append(where_it_broke(item, call.excinfo, self.course_root))
                result.message = "the grader could not finish this test"
            else:
                result.message = (
                    f"the test could not use what your code returned ({type(error).__name__})"
                )
        elif result is not None and call.when == "call":
            result.earned, result.message = result.points, ""
        if error is None:
            outcome, longrepr = "passed", None
        else:
            outcome, longrepr = "failed", call.excinfo.exconly()
        return pytest.TestReport(
            item.nodeid,
            item.location,
            {},
            outcome,
            longrepr,
            call.when,
            duration=call.duration,
            start=call.start,
            stop=call.stop,
        )
