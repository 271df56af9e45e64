"""Screen a submission before nbgrader touches it.

nbgrader stops a whole batch on some broken notebooks (a duplicated grade cell, an old
metadata schema) and follows symbolic links (a link to another student's notebook would be
graded as the student's own). Screening reads each file without following links and
returns a plain reason when a submission cannot be graded; it never modifies the files.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import nbformat

from gradelab.course import Course

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
NBGRADER_SCHEMA = 3


def find_symlink(folder: Path) -> Path | None:
    for parent, folders, files in os.walk(folder, followlinks=False):
        for name in folders + files:
            if (Path(parent) / name).is_symlink():
                return Path(parent) / name
    return None


def notebook_problem(path: Path) -> str | None:
    """Why the notebook at ``path`` cannot be graded, or None when it can."""
    name = path.name
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return f"{name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"{name} is not UTF-8 text (bad byte at position {error.start})"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return f"{name} is not valid JSON (line {error.lineno}, column {error.colno})"
    except RecursionError:
        return f"{name} is nested too deeply to be a notebook"
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        found = data.get("nbformat") if isinstance(data, dict) else None
        return f"{name} is not a version 4 notebook (nbformat {found}); save it with Jupyter"
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except (nbformat.ValidationError, ValueError, TypeError, KeyError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"{name} does not follow the notebook format ({first[:120]})"
    grade_ids = []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not meta:
            continue
        if meta.get("schema_version") != NBGRADER_SCHEMA:
            return f"{name}: cell '{meta.get('grade_id')}' has nbgrader metadata of another version"
        grade_ids.append(meta.get("grade_id"))
    repeated = [gid for gid, count in Counter(grade_ids).items() if count > 1]
    if repeated:
        return f"{name}: cell '{repeated[0]}' appears {grade_ids.count(repeated[0])} times"
    return None


def screen(course: Course, assignment: str, student: str) -> str | None:
    """Why ``student``'s submission of ``assignment`` cannot be graded, or None."""
    folder = course.submission_folder(student, assignment)
    if folder.is_symlink() or folder.parent.is_symlink():
        return "the submission folder is a symbolic link"
    if not folder.is_dir():
        return "there is no submission folder"
    link = find_symlink(folder)
    if link is not None:
        return f"{link.name} is a symbolic link; submit the file itself"
    expected = [path.name for path in course.source_notebooks(assignment)]
    present = [name for name in expected if (folder / name).is_file()]
    if not present:
        return f"the submission has no notebook named {', '.join(expected)}"
    for name in present:
        problem = notebook_problem(folder / name)
        if problem:
            return problem
    return None
