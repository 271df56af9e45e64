"""Test cells come from the source, whatever the submission did to them.

A test cell's points are gradelab's to give (from the hidden suite), so a submission cannot
move them: a cell that claims a test cell's grade id without being that test cell (another
type, an answer cell, a cell that is not graded) loses its nbgrader metadata, and every test
cell missing from the submission is put back from the gradebook's copy of the source. This
step runs first, before nbgrader's own sanitizing steps (``c.Autograde.sanitize_preprocessors``).
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell
from nbgrader.preprocessors import NbGraderPreprocessor

from gradelab.grading.grade_notebook import cell_name, is_test_cell
from gradelab.grading.nbgrader_mode import mark_restored
from gradelab.grading.source_snapshot import source_snapshot


def locked_test_cells(db_url: str, assignment: str, notebook: str) -> list[NotebookNode]:
    """The source's locked test cells, as the gradebook keeps them (read once per process)."""
    source = source_snapshot(db_url, assignment).find_notebook(notebook, assignment)
    sources = {cell.name: cell for cell in source.source_cells}
    cells = []
    for grade_cell in source.grade_cells:
        kept = sources.get(grade_cell.name)
        if grade_cell.cell_type != "code" or kept is None or kept.locked is False:
            continue
        meta = {
            "grade": True,
            "solution": False,
            "locked": True,
            "grade_id": grade_cell.name,
            "points": grade_cell.max_score,
            "schema_version": 3,
            "checksum": kept.checksum,
        }
        cells.append(new_code_cell(kept.source, metadata={"nbgrader": meta}))
    return cells


class TestCellsFromSource(NbGraderPreprocessor):
    """Keep each source test cell exactly once, as a test cell; drop impostors."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        source = locked_test_cells(info["db_url"], info["assignment"], info["notebook"])
        wanted = {cell.metadata["nbgrader"]["grade_id"] for cell in source}
        present = set()
        for index, cell in enumerate(nb.cells):
            name = cell_name(cell, index)
            if name in wanted and is_test_cell(cell) and name not in present:
                present.add(name)
            elif name in wanted:
                self.log.warning("Cell %d claims test cell %s's id; it is not graded", index, name)
                cell.metadata.pop("nbgrader", None)
        for cell in source:
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            if grade_id not in present:
                self.log.warning("Restoring deleted test cell %s", grade_id)
                nb.cells.append(mark_restored(cell))
        return nb, resources
