"""Read-only cells a submission edited, found before nbgrader's ``OverwriteCells`` puts the
source's cells back: the instructor is warned, as ``nbgrader autograde`` warns."""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.utils import compute_checksum

from gradelab.grading.source_snapshot import source_snapshot

MAX_NAMED = 20


def edited_locked_cells(
    notebook: NotebookNode, db_url: str, assignment: str, name: str
) -> list[str]:
    """The grade ids of the source's locked cells whose checksum the submission changed."""
    try:
        source = source_snapshot(db_url, assignment).find_notebook(name, assignment)
    except MissingEntry:
        return []
    locked = {cell.name: cell.checksum for cell in source.source_cells if cell.locked}
    edited = []
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in locked and locked[grade_id] and compute_checksum(cell) != locked[grade_id]:
            edited.append(str(grade_id)[:100])
    return edited[:MAX_NAMED]
