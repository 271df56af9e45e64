"""The scores and comments of a submitted notebook, read from the gradebook for its feedback.

``GradesAtOnce`` is nbgrader's ``GetGrades`` step of ``generate_feedback``, with the same
result: each grade and task cell gets its score and points, each solution and task cell its
comment, and the notebook's score less its late penalty. It reads them in three queries
through the process's kept gradebook (``gradelab.course.gradebook``), where ``GetGrades``
opens the gradebook anew and asks two queries per cell. ``gradelab serve`` makes every
feedback page with it, in place of ``GetGrades`` wherever a course's configuration lists
that step.
"""

from __future__ import annotations

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.api import BaseCell, Comment, Grade, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor

from gradelab.course.gradebook import gradebook_at

#: which kind of cell a name is looked up in first, as nbgrader's ``find_grade`` and
#: ``find_comment`` look
GRADE_CELLS = ("GradeCell", "TaskCell")
COMMENT_CELLS = ("SolutionCell", "TaskCell")


def by_name(rows: list[tuple], kinds: tuple[str, str]) -> dict[str, tuple]:
    """``(name, kind, *values)`` rows as ``{name: values}``, the first of ``kinds`` winning."""
    found: dict[str, tuple] = {}
    for name, _kind, *values in sorted(rows, key=lambda r: kinds.index(r[1]), reverse=True):
        found[name] = tuple(values)
    return found


class GradesAtOnce(GetGrades):
    """nbgrader's ``GetGrades``, every grade and comment of the notebook read at once."""

    def preprocess(
        self, nb: NotebookNode, resources: ResourcesDict
    ) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        self.notebook_id = info["notebook"]
        self.assignment_id = info["assignment"]
        self.student_id = info["student"]
        course_id = CourseDirectory(config=self.config).course_id or "default_course"
        with gradebook_at(info["db_url"], course_id) as gradebook:
            notebook = gradebook.find_submission_notebook(
                self.notebook_id, self.assignment_id, self.student_id
            )
            session = gradebook.db
            grades = (
                session.query(BaseCell.name, BaseCell.type, Grade.score, Grade.max_score)
                .join(Grade, Grade.cell_id == BaseCell.id)
                .filter(Grade.notebook_id == notebook.id, BaseCell.type.in_(GRADE_CELLS))
                .all()
            )
            comments = (
                session.query(BaseCell.name, BaseCell.type, Comment.comment)
                .join(Comment, Comment.cell_id == BaseCell.id)
                .filter(Comment.notebook_id == notebook.id, BaseCell.type.in_(COMMENT_CELLS))
                .all()
            )
            self.grades = by_name(grades, GRADE_CELLS)
            self.comments = by_name(comments, COMMENT_CELLS)
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            penalty = notebook.late_submission_penalty or 0
            if penalty:
                self.log.warning("Late submission penalty: %s", penalty)
            info["score"] = notebook.score - penalty
            info["max_score"] = notebook.max_score
            info["late_penalty"] = penalty
        return nb, resources

    def _get_comment(self, cell: NotebookNode, resources: ResourcesDict) -> None:
        name = cell.metadata["nbgrader"]["grade_id"]
        if name not in self.comments:
            raise MissingEntry()
        cell.metadata.nbgrader["comment"] = self.comments[name][0]

    def _get_score(self, cell: NotebookNode, resources: ResourcesDict) -> None:
        name = cell.metadata["nbgrader"]["grade_id"]
        if name not in self.grades:
            raise MissingEntry()
        score, points = self.grades[name]
        cell.metadata.nbgrader["score"] = score
        cell.metadata.nbgrader["points"] = points
