"""nbgrader's sanitizing steps, reading the gradebook's copy of the source once per worker.

``OverwriteCells`` and ``OverwriteKernelspec`` open the gradebook and query it cell by cell
for every submission: most of what sanitizing costs. The source does not change while an
assignment is graded, so a worker reads it once into a ``SourceSnapshot``, which answers
the same lookups, and runs nbgrader's own steps against it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from types import SimpleNamespace

from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import OverwriteCells, OverwriteKernelspec


@dataclass
class SourceNotebook:
    name: str
    kernelspec: str | None
    source_cells: list[SimpleNamespace] = field(default_factory=list)
    grade_cells: list[SimpleNamespace] = field(default_factory=list)
    solution_cells: list[SimpleNamespace] = field(default_factory=list)
    task_cells: list[SimpleNamespace] = field(default_factory=list)


def _copy(cell: object, *names: str) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(cell, name) for name in names})


class SourceSnapshot:
    """An assignment's notebooks and cells as the gradebook keeps them, read once.

    It answers the gradebook lookups nbgrader's sanitizing steps make, and raises
    ``MissingEntry`` where the gradebook would.
    """

    def __init__(self, db_url: str, assignment: str) -> None:
        self.assignment = assignment
        self.notebooks: dict[str, SourceNotebook] = {}
        with Gradebook(db_url) as gradebook:
            try:
                notebooks = gradebook.find_assignment(assignment).notebooks
            except MissingEntry:
                notebooks = []
            for notebook in notebooks:
                self.notebooks[notebook.name] = SourceNotebook(
                    notebook.name,
                    notebook.kernelspec,
                    [
                        _copy(c, "name", "cell_type", "locked", "checksum", "source")
                        for c in notebook.source_cells
                    ],
                    [_copy(c, "name", "max_score", "cell_type") for c in notebook.grade_cells],
                    [_copy(c, "name") for c in notebook.solution_cells],
                    [_copy(c, "name", "max_score") for c in notebook.task_cells],
                )

    def __enter__(self) -> SourceSnapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def find_notebook(self, name: str, assignment: str) -> SourceNotebook:
        if assignment != self.assignment or name not in self.notebooks:
            raise MissingEntry(f"No such notebook: {assignment}/{name}")
        return self.notebooks[name]

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> SimpleNamespace:
        for cell in self.find_notebook(notebook, assignment).source_cells:
            if cell.name == name:
                return cell
        raise MissingEntry(f"No such source cell: {assignment}/{notebook}/{name}")

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> SimpleNamespace:
        source = self.find_notebook(notebook, assignment)
        for cell in [*source.grade_cells, *source.task_cells]:
            if cell.name == name:
                return cell
        raise MissingEntry(f"No such graded cell: {assignment}/{notebook}/{name}")


@functools.cache
def source_snapshot(db_url: str, assignment: str) -> SourceSnapshot:
    return SourceSnapshot(db_url, assignment)


class OverwriteCellsFromSnapshot(OverwriteCells):
    """nbgrader's ``OverwriteCells``, looking cells up in the worker's ``SourceSnapshot``."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = source_snapshot(self.db_url, self.assignment_id)
        nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class OverwriteKernelspecFromSnapshot(OverwriteKernelspec):
    """nbgrader's ``OverwriteKernelspec``, reading the kernelspec from the snapshot."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        snapshot = source_snapshot(info["db_url"], info["assignment"])
        kernelspec = snapshot.find_notebook(info["notebook"], info["assignment"]).kernelspec
        if kernelspec is not None:
            kernelspec = json.loads(kernelspec)
        if kernelspec:
            nb.metadata["kernelspec"] = kernelspec
        return nb, resources
