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
from dataclasses import dataclass
from pathlib import Path

import pytest

from gradelab.grading.plots import Plot
from gradelab.grading.plugin import GradingPlugin, Outcome
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


class GradingSetupError(RuntimeError):
    """The assignment's own files are inconsistent: the instructor must fix them."""


@dataclass
class SuiteRun:
    """What one run of the suite on one submission produced."""

    outcomes: list[Outcome]
    plots: list[Plot]


@dataclass
class _Request:
    session: Session
    identity: tuple[str, str, str]
    cells: set[str]


class HiddenSuite:
    """The tests in ``suite`` with the reference solution at ``reference``, ready to run."""

    def __init__(self, suite: Path, reference: Path) -> None:
        self.suite = suite
        self.plugin = GradingPlugin(reference)
        self._requests: queue.Queue[_Request | None] = queue.Queue()
        self._replies: queue.Queue[SuiteRun | BaseException] = queue.Queue()
        self._items: list[pytest.Item] = []
        self._thread = threading.Thread(target=self._serve, name=f"suite {suite}", daemon=True)
        with _collecting:  # pytest names test modules by folder: one collection at a time
            forget_suite_modules(suite)
            self._thread.start()
            ready = self._replies.get()
        if isinstance(ready, BaseException):
            raise ready

    def run(self, session: Session, identity: tuple[str, str, str], cells: set[str]) -> SuiteRun:
        """Run the tests of ``cells`` against the submission in ``session``."""
        if not self._thread.is_alive():
            raise GradingSetupError(f"{self.suite}: the hidden suite is no longer running")
        self._requests.put(_Request(session, identity, cells))
        reply = self._replies.get()
        if isinstance(reply, BaseException):
            raise reply
        return reply

    def _serve(self) -> None:
        args = [str(self.suite), *PYTEST_ARGS, "--rootdir", str(self.suite.parent)]
        try:
            pytest.main(args, plugins=[self.plugin, self])
        except BaseException as error:  # noqa: BLE001 - handed to the waiting grader
            self._replies.put(error)
        self._replies.put(GradingSetupError(f"{self.suite}: pytest could not collect the suite"))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if self.plugin.setup_problems:
            self._replies.put(GradingSetupError("; ".join(self.plugin.setup_problems)))
            return True
        self._items = list(session.items)
        self._replies.put(SuiteRun([], []))
        while (request := self._requests.get()) is not None:
            try:
                self._replies.put(self._run(request))
            except BaseException as error:  # noqa: BLE001 - handed to the waiting grader
                self._replies.put(error)
        return True

    def _run(self, request: _Request) -> SuiteRun:
        self.plugin.bind(request.session, request.identity, request.cells)
        items = [item for item in self._items if item.nodeid in self.plugin.results]
        for index, item in enumerate(items):
            following = items[index + 1] if index + 1 < len(items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
        return SuiteRun(list(self.plugin.results.values()), list(self.plugin.plots))


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


def _version(suite: Path, reference: Path) -> tuple:
    files = [*suite.rglob("*.py"), *([reference] if reference.is_file() else [])]
    return tuple(sorted((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files))


def hidden_suite(suite: Path, reference: Path) -> HiddenSuite:
    """This process's collected copy of ``suite``, collected again when its files change."""
    if not suite.is_dir():
        raise GradingSetupError(f"{suite}: no hidden test folder for this assignment")
    key = (suite.resolve(), reference.resolve(), _version(suite, reference))
    with _lock:
        if key not in _suites:
            _suites[key] = HiddenSuite(suite, reference)
        return _suites[key]
