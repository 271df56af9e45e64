"""Shared fixtures: the real course of this repository and a released scratch copy of it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.sandbox.limits import NOBODY
from gradelab.selftest import scratch_course

REPO = Path(__file__).resolve().parents[1]


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
def released_course(course: Course) -> Iterator[Course]:
    """A throwaway copy of the course with mse_gradient released and an empty gradebook."""
    with scratch_course(course) as scratch:
        nbgrader_commands.release(scratch, "mse_gradient")
        yield scratch
