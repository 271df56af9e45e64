"""What is compared: the answer cells of each submission, and the code the release gives.

A submission is screened first, as ``gradelab autograde`` screens it
(``gradelab/autograde/intake.py``): one that is refused there is not compared, with the
same reason. Of an accepted notebook, each answer cell (a code cell whose grade id is an
answer cell of the release) is one part of what is compared, and so is each written answer
(a Markdown answer cell graded by hand), its whitespace runs taken as one space; every
other code cell (cells
the student added, answer cells whose metadata was stripped, read-only and test cells) goes
into one more part, so that code moved out of an answer cell is still compared; those the
release gives, unchanged, are left out. Every part is cut to ``MAX_CELL_CHARS`` and a
submission to ``MAX_SUBMISSION_CHARS`` in all, before anything parses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from gradelab.autograde.intake import MAX_NOTEBOOK_BYTES, Refused, read_regular_file, screen
from gradelab.course import Course
from gradelab.errors import CourseError
from gradelab.grading.grade_notebook import nbgrader_meta
from gradelab.text import printable

MAX_CELL_CHARS = 5_000
MAX_SUBMISSION_CHARS = 20_000
OTHER_CODE = "other code cells"


@dataclass(frozen=True)
class Release:
    """The release of an assignment, as the comparison needs it."""

    notebooks: tuple[str, ...]
    #: (notebook, grade id) of each answer cell -> the name the report gives the cell
    answers: dict[tuple[str, str], str]
    #: every piece of code the release gives: its code cells and its public modules
    given_code: tuple[str, ...]
    #: the parts that are written answers (Markdown), compared as text rather than code
    prose: frozenset[str] = frozenset()

    @property
    def parts(self) -> list[str]:
        """The parts of a submission that are compared, in notebook order."""
        return [*self.answers.values(), OTHER_CODE]


@dataclass
class Answers:
    """One submission's code, part by part, and what was cut from it."""

    student: str
    parts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def grade_id(cell: NotebookNode) -> str | None:
    """The cell's nbgrader grade id, whatever its metadata holds."""
    meta = nbgrader_meta(cell)
    found = meta.get("grade_id") if isinstance(meta, dict) else None
    return None if found is None else str(found)


def is_answer(cell: NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and isinstance(meta, dict) and bool(meta.get("solution"))


def is_written_answer(cell: NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "markdown" and isinstance(meta, dict) and bool(meta.get("solution"))


def as_prose(text: str) -> str:
    """A written answer as it is compared: its whitespace runs as one space."""
    return " ".join(text.split())


def read_release(course: Course, assignment: str) -> Release:
    """The released notebooks' answer cells and given code, and the public modules."""
    stems = tuple(path.stem for path in course.source_notebooks(assignment))
    several = len(stems) > 1
    answers: dict[tuple[str, str], str] = {}
    prose: set[str] = set()
    given: list[str] = []
    for stem in stems:
        path = course.release_notebook(assignment, stem)
        if not path.is_file():
            raise CourseError(
                f"{path}: not found; release the assignment first: gradelab release {assignment}"
            )
        for cell in nbformat.read(path, as_version=4).cells:
            if is_written_answer(cell):
                key = (stem, grade_id(cell) or "")
                answers[key] = f"{stem}: {key[1]}" if several else key[1]
                prose.add(answers[key])
            if cell.cell_type != "code":
                continue
            given.append(cell.source)
            key = (stem, grade_id(cell) or "")
            if is_answer(cell):
                answers[key] = f"{stem}: {key[1]}" if several else key[1]
    modules = sorted(course.release_folder(assignment).rglob("*.py"))
    given.extend(module.read_text(encoding="utf-8", errors="replace") for module in modules)
    return Release(stems, answers, tuple(given), frozenset(prose))


def read_notebook(path: Path) -> NotebookNode:
    """A notebook screening accepted, read again within the same bounds."""
    try:
        text = read_regular_file(path, MAX_NOTEBOOK_BYTES).decode("utf-8")
        return nbformat.reads(text, as_version=4)
    except Refused:
        raise
    except (Exception, RecursionError) as error:  # noqa: BLE001 - the file changed since
        raise Refused(f"{path.name} could not be read ({type(error).__name__})") from None


def submission_answers(course: Course, assignment: str, student: str, release: Release) -> Answers:
    """``student``'s code, part by part, cut to the bounds; raises ``Refused`` with the reason
    when screening refuses the submission."""
    screen(course, assignment, student)
    answers = Answers(student)
    texts: dict[str, list[str]] = {}
    for stem in release.notebooks:
        path = course.submission_folder(student, assignment) / f"{stem}.ipynb"
        if not path.is_file():
            continue
        for cell in read_notebook(path).cells:
            key = (stem, grade_id(cell) or "")
            part = release.answers.get(key, OTHER_CODE)
            source = str(cell.source)
            if part in release.prose and cell.cell_type == "markdown":
                source = as_prose(source)
            elif cell.cell_type != "code" or (part == OTHER_CODE and source in release.given_code):
                continue
            texts.setdefault(part, []).append(source)
    room = MAX_SUBMISSION_CHARS
    for part in release.parts:
        text = "\n\n".join(texts.get(part, []))
        if len(text) > MAX_CELL_CHARS:
            answers.notes.append(
                f"{printable(part, 80)}: compared up to {MAX_CELL_CHARS:,} of its "
                f"{len(text):,} characters"
            )
            text = text[:MAX_CELL_CHARS]
        if len(text) > room:
            answers.notes.append(
                f"{printable(part, 80)}: cut at {room:,} characters, the submission's "
                f"limit of {MAX_SUBMISSION_CHARS:,} in all being reached"
            )
            text = text[:room]
        room -= len(text)
        if text.strip():
            answers.parts[part] = text
    return answers
