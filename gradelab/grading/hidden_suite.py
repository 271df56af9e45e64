"""An assignment's hidden pytest suite, collected once per process and run per submission.

Collecting a suite (starting pytest, importing the test files) costs far more than running
it. So each suite runs inside one long ``pytest.main`` on a thread of its own, whose test
loop waits for submissions: for each one it runs the suite's tests through pytest's own
``pytest_runtest_protocol`` (fixtures set up and torn down per submission, as in a fresh
session) and hands back the outcomes.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.grading.plots import Plot
from gradelab.grading.plugin import GradingPlugin, Outcome, load_reference
from gradelab.grading.public_modules import public_modules
from gradelab.quiz.grading import TESTS as QUIZ_TESTS
from gradelab.quiz.grading import QuizTests
from gradelab.quiz.in_course import QUIZ_FILE, course_quiz
from gradelab.sandbox.session import Session

UNUSED_PYTEST_PLUGINS = (
    "cacheprovider", "terminal", "stepwise", "pastebin", "junitxml", "doctest",
    "unraisableexception", "threadexception", "faulthandler",
    "setuponly", "setupplan", "debugging", "logging",
)  # fmt: skip
PYTEST_ARGS = (
    *(arg for name in UNUSED_PYTEST_PLUGINS for arg in ("-p", f"no:{name}")),
    "--disable-plugin-autoload",  # installed pytest plugins have no say in grading
    "--capture=no",
    "--assert=plain",
    "--import-mode=importlib",
    "-c",
    os.devnull,
)


@dataclass
class SuiteRun:
    """What one run of the suite on one submission produced."""

    outcomes: list[Outcome]
    plots: list[Plot]
    broken: list[str]


@dataclass
class _Request:
    session: Session
    identity: tuple[str, str, str]
    cells: set[str]
    strict: bool


class HiddenSuite:
    """The hidden tests of one assignment with its reference solution, ready to run.

    The reference and the test files are imported with the assignment's released public
    modules importable by name (``public_modules``), as the notebook imports them.
    """

    def __init__(self, course: Course, assignment: str) -> None:
        self.suite = suite = course.hidden_suite(assignment)
        self.planned_cells: set[str] = set()
        self._requests: queue.Queue[_Request | None] = queue.Queue()
        self._replies: queue.Queue[SuiteRun | BaseException] = queue.Queue()
        self._items: list[pytest.Item] = []
        quiz = course_quiz(course, assignment)
        self._paths = [str(p) for p in (suite,) if p.is_dir()] + ([str(QUIZ_TESTS)] if quiz else [])
        self._plugins: list[object] = [QuizTests(quiz, assignment)] if quiz else []
        with _collecting, public_modules(course.release_folder(assignment)):
            reference_path = course.reference_solution(assignment)
            if quiz and not reference_path.exists():  # a quiz alone needs no reference module
                reference = types.ModuleType(f"{assignment}_without_reference")
            else:
                reference = load_solution(reference_path)
            self.plugin = GradingPlugin(reference, course.secret(), course.root)
            self._thread = threading.Thread(target=self._serve, name=f"suite {suite}", daemon=True)
            forget_suite_modules(suite)  # pytest names test modules by folder
            self._thread.start()
            ready = self._replies.get()
        if isinstance(ready, BaseException):
            raise ready
        self.planned_cells = {outcome.cell for outcome in self.plugin.planned.values()}

    def run(
        self,
        session: Session,
        identity: tuple[str, str, str],
        cells: set[str],
        strict: bool = False,
    ) -> SuiteRun:
        """Run the tests of ``cells`` against the submission in ``session``; ``strict``
        (for the reference) counts any error of a test as the suite's (``GradingPlugin``)."""
        if not self._thread.is_alive():
            raise AssignmentError(f"{self.suite}: the hidden suite is no longer running")
        self._requests.put(_Request(session, identity, cells, strict))
        reply = self._replies.get()
        if isinstance(reply, BaseException):
            raise reply
        return reply

    def _serve(self) -> None:
        args = [*self._paths, *PYTEST_ARGS, "--rootdir", str(self.suite.parent)]
        try:
            pytest.main(args, plugins=[self.plugin, self, *self._plugins])
        except BaseException as error:  # noqa: BLE001 - handed to the waiting grader
            self._replies.put(error)
        self._replies.put(AssignmentError(f"{self.suite}: pytest could not collect the suite"))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if self.plugin.setup_problems:
            self._replies.put(AssignmentError("; ".join(self.plugin.setup_problems)))
            return True
        self._items = list(session.items)
        self._replies.put(SuiteRun([], [], []))
        while (request := self._requests.get()) is not None:
            try:
                self._replies.put(self._run(request))
            except BaseException as error:  # noqa: BLE001 - handed to the waiting grader
                self._replies.put(error)
        return True

    def _run(self, request: _Request) -> SuiteRun:
        self.plugin.bind(request.session, request.identity, request.cells, request.strict)
        items = [item for item in self._items if item.nodeid in self.plugin.results]
        for index, item in enumerate(items):
            following = items[index + 1] if index + 1 < len(items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
        plugin = self.plugin
        return SuiteRun(list(plugin.results.values()), list(plugin.plots), list(plugin.broken))


_collecting = threading.Lock()
_lock = threading.Lock()
_suites: dict[tuple, HiddenSuite] = {}


def _forget_after_fork() -> None:
    """A forked process has none of its parent's suite threads: it collects its own."""
    global _collecting, _lock
    _suites.clear()
    _collecting, _lock = threading.Lock(), threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def forget_suite_modules(suite: Path) -> None:
    """Drop the modules of another suite of the same name (pytest names them
    ``<assignment>.<file>`` and would reuse them), so a suite is always read as it is now."""
    for name in [n for n in sys.modules if n == suite.name or n.startswith(suite.name + ".")]:
        del sys.modules[name]


def load_solution(path: Path):
    """The reference module; an error in it is the author's, named with the file."""
    try:
        return load_reference(path)
    except Exception as error:  # noqa: BLE001 - any error in the instructor's reference
        raise AssignmentError(
            f"{path}: cannot be imported ({type(error).__name__}: {error})"
        ) from None


def suite_version(course: Course, assignment: str) -> tuple:
    """What an assignment's grading depends on, as files' names, times and sizes: it
    changes when the instructor edits a test, the reference, a public module or the quiz."""
    reference = course.reference_solution(assignment)
    quiz = course.source_folder(assignment) / QUIZ_FILE
    files = [
        *course.hidden_suite(assignment).rglob("*.py"),
        *course.release_folder(assignment).glob("*.py"),
        *[path for path in (reference, quiz) if path.is_file()],
    ]
    return tuple(sorted((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files))


def uses_hidden_suite(course: Course, assignment: str) -> bool:
    """Whether ``assignment`` is graded by a hidden suite (``autograder/<a>/`` or a quiz);
    without one it is graded as nbgrader grades (``nbgrader_mode``)."""
    quiz = course.source_folder(assignment) / QUIZ_FILE
    return course.hidden_suite(assignment).is_dir() or quiz.is_file()


def hidden_suite(course: Course, assignment: str) -> HiddenSuite:
    """This process's collected copy of an assignment's hidden suite, collected again when
    its files (tests, reference, public modules) change."""
    suite = course.hidden_suite(assignment)
    if not suite.is_dir() and not (course.source_folder(assignment) / QUIZ_FILE).is_file():
        raise AssignmentError(f"{suite}: no hidden test folder (nor quiz.toml) for this assignment")
    key = (str(course.root), assignment, suite_version(course, assignment))
    with _lock:
        if key not in _suites:
            _suites[key] = HiddenSuite(course, assignment)
        return _suites[key]
