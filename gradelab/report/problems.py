"""What went wrong with a graded submission, beyond wrong answers: crashes and limits.

Read from what the grader wrote (the notes on the whole submission, the failure messages of
its tests), in the sandbox's own words (``gradelab.sandbox.session``):

- a **limit**: a call or the submission ran out of time, CPU time or memory, or sent too much;
- a **crash**: an answer cell the student wrote raised when it was run, or the sandbox's
  process ended or broke its exchange with the grader.

A cell left as released raises ``NotImplementedError`` when it is run, and the cells that use
it then fail: that is a question not attempted, not a crash, and is left out here.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass

from gradelab.grading.grade_notebook import raised_cell

LIMIT = "limit"
CRASH = "crash"
NOTE = "note"
LIMIT_WORDS = (
    "did not finish within",
    "time limit",
    "s of CPU time",
    "MB of memory",
    "was killed, probably for using more than",
    "MB at once",
)
CRASH_WORDS = (
    "ended the submission's process",
    "closed its connection to the grader",
    "sent a reply the grader cannot read",
    "stopped reading what the grader sent",
)
#: Most problems kept per submission.
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    kind: str
    what: str


def _kind(text: str) -> str | None:
    if any(words in text for words in LIMIT_WORDS):
        return LIMIT
    if any(words in text for words in CRASH_WORDS):
        return CRASH
    return None


def problems_of(notes: Iterable[str], messages: Iterable[str], answered: Set[str]) -> list[Problem]:
    """The crashes and limits among a submission's ``notes`` and failure ``messages``, each
    once; other notes are kept as notes. ``answered`` names the answer cells the student
    changed."""
    found: dict[str, Problem] = {}
    for text, is_note in [*((n, True) for n in notes), *((m, False) for m in messages)]:
        if text in found or len(found) >= MAX_PROBLEMS:
            continue
        cell = raised_cell(text)
        if cell is not None:
            if cell in answered:
                found[text] = Problem(CRASH, text)
            continue
        kind = _kind(text) or (NOTE if is_note else None)
        if kind is not None:
            found[text] = Problem(kind, text)
    return list(found.values())
