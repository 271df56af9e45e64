"""Each question's title as the author wrote it: the Markdown heading above its test cell.

A graded question is an nbgrader test cell; its title is the text of the last Markdown
heading before it in the source notebook, numbered as the author numbered it ("1. One
step"), without a trailing "(2 points)". Test cells under one heading are told apart by
" (part 1)", " (part 2)"... A test cell with no heading above it keeps its grade id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import nbformat
from nbformat import NotebookNode

from gradelab.course import Course
from gradelab.grading.grade_notebook import cell_name, is_test_cell

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_POINTS = re.compile(r"\s*\(\s*\d+(?:\.\d+)?\s+points?\s*\)\s*$")
MAX_TITLE = 120


def heading_of(markdown: str) -> str | None:
    """The text of the last heading of a Markdown cell, None if it has none."""
    found = None
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            found = _POINTS.sub("", match.group("text")).strip()[:MAX_TITLE] or None
    return found


def titles_in(cells: Iterable[NotebookNode]) -> dict[str, str]:
    """Grade id -> title of each test cell of one notebook's ``cells``."""
    heading, under = None, {}
    grouped: dict[str, list[str]] = {}
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            heading = heading_of(cell.source) or heading
        elif is_test_cell(cell):
            name = cell_name(cell, index)
            under[name] = heading
            if heading is not None:
                grouped.setdefault(heading, []).append(name)
    titles = {}
    for name, found in under.items():
        if found is None:
            titles[name] = name
            continue
        shared = grouped[found]
        part = f" (part {shared.index(name) + 1})" if len(shared) > 1 else ""
        titles[name] = found + part
    return titles


def question_titles(course: Course, assignment: str) -> dict[str, str]:
    """Grade id -> title of every test cell of the assignment's source notebooks."""
    titles: dict[str, str] = {}
    for path in course.source_notebooks(assignment):
        titles |= titles_in(nbformat.read(path, as_version=4).cells)
    return titles
