"""Read-only cells a submission edited, found before nbgrader's ``OverwriteCells`` puts the
source's cells back: the instructor is warned, as ``nbgrader autograde`` warns. The cells
are compared with the release (what students got, hidden tests taken out), so a test cell
with hidden tests is not taken for an edited one."""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.utils import compute_checksum, is_locked

MAX_NAMED = 20


def grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


@functools.lru_cache(maxsize=64)
def _released_checksums(path: Path, version: int) -> dict[str, str]:
    released = nbformat.read(path, as_version=4)
    return {
        grade_id(c): compute_checksum(c) for c in released.cells if is_locked(c) and grade_id(c)
    }


def edited_locked_cells(notebook: NotebookNode, release: Path) -> list[str]:
    """The grade ids of the released notebook's (``release``) read-only cells that the
    submission changed."""
    if not release.is_file():
        return []
    locked = _released_checksums(release, release.stat().st_mtime_ns)
    edited = [
        str(grade_id(cell))[:100]
        for cell in notebook.cells
        if grade_id(cell) in locked and compute_checksum(cell) != locked[grade_id(cell)]
    ]
    return edited[:MAX_NAMED]
