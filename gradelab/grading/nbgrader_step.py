"""``GradeInSandbox``: gradelab's step in nbgrader's autograde pipeline.

It takes the place of nbgrader's ``Execute``. Instead of running the notebook in a Jupyter
kernel and reading scores from whatever the kernel printed, it runs the student's code in
the sandbox, scores each test cell with the hidden suite, and writes into the test cell an
output that nbgrader's own ``SaveAutoGrades`` reads: the feedback lines and the score. So
the gradebook, formgrader, ``generate_feedback`` and ``export`` work unchanged.
"""

from __future__ import annotations

from nbformat import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Int, List, Unicode

from gradelab.course import Course
from gradelab.grading.grade_notebook import CellGrade, cell_name, grade_notebook, is_test_cell
from gradelab.grading.hidden_suite import uses_hidden_suite
from gradelab.grading.nbgrader_mode import run_like_nbgrader
from gradelab.sandbox.limits import Limits

RESULTS_KEY = "gradelab"


class GradeInSandbox(NbGraderPreprocessor):
    wall_seconds = Float(10.0, help="Wall-clock seconds for all of a submission's code").tag(
        config=True
    )
    call_seconds = Float(1.0, help="Least wall-clock seconds for one call into student code").tag(
        config=True
    )
    call_factor = Float(
        50.0, help="A call may take this many times the reference solution's time"
    ).tag(config=True)
    cpu_seconds = Int(10, help="CPU seconds for a submission's sandbox").tag(config=True)
    memory_mb = Int(1024, help="Address-space limit of the sandbox, in MB").tag(config=True)
    processes = Int(32, help="Processes the sandbox user may run").tag(config=True)
    open_files = Int(64, help="Open files per sandbox process").tag(config=True)
    file_size_mb = Int(16, help="Largest file the sandbox may write, in MB").tag(config=True)
    visible_paths = List(
        Unicode(),
        help="More folders a submission may read (read-only), besides the Python installation, "
        "gradelab, system libraries and the assignment's released files",
    ).tag(config=True)
    accept_weak_isolation = Bool(
        False,
        help="Grade with rlimits alone where namespaces cannot be made; each score is noted",
    ).tag(config=True)

    def limits(self) -> Limits:
        return Limits(
            wall_seconds=self.wall_seconds,
            call_seconds=self.call_seconds,
            call_factor=self.call_factor,
            cpu_seconds=self.cpu_seconds,
            memory_mb=self.memory_mb,
            processes=self.processes,
            open_files=self.open_files,
            file_size_mb=self.file_size_mb,
        )

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        course = Course.from_config(self.config)
        info = resources["nbgrader"]
        self.log.info("Grading %s for %s in gradelab's sandbox", info["notebook"], info["student"])
        assignment = info["assignment"]
        visible = tuple(self.visible_paths)
        if not uses_hidden_suite(course, assignment):
            released = course.release_folder(assignment)
            weak = self.accept_weak_isolation
            grades = run_like_nbgrader(nb, released, self.limits(), weak, visible)
            for index, cell in enumerate(nb.cells):
                if is_test_cell(cell):
                    cell.outputs.append(results_output(grades[cell_name(cell, index)]))
            return nb, resources
        grades = grade_notebook(
            nb,
            course,
            assignment,
            info["student"],
            self.limits(),
            self.accept_weak_isolation,
            visible,
        )
        for index, cell in enumerate(nb.cells):
            if not is_test_cell(cell):
                continue
            grade = grades[cell_name(cell, index)]
            cell.outputs = grade_outputs(grade)
        return nb, resources


def sandbox_limits(course: Course) -> Limits:
    """The sandbox limits the course sets (``c.GradeInSandbox.*``)."""
    return GradeInSandbox(config=course.config).limits()


def results_output(grade: CellGrade) -> NotebookNode:
    """The feedback lines of a test cell graded as nbgrader grades, with the grade as data in
    their metadata: display data, which nbgrader's scoring passes over."""
    data = {"text/plain": grade.feedback()}
    metadata = {RESULTS_KEY: grade.as_data()}
    return from_dict({"output_type": "display_data", "data": data, "metadata": metadata})


def grade_outputs(grade: CellGrade) -> list[NotebookNode]:
    """A test cell's outputs: the feedback lines, the plots, and the score nbgrader reads
    (with the grade as data in its metadata). Built as plain nodes: they follow nbformat's
    schema by construction, and validating each one costs more than grading it."""
    outputs = [from_dict({"output_type": "stream", "name": "stdout", "text": grade.feedback()})]
    for plot in grade.plots:
        data = {"image/png": plot.png_base64, "text/plain": plot.title}
        outputs.append(from_dict({"output_type": "display_data", "data": data, "metadata": {}}))
    score = {"text/plain": f"{grade.earned:g}"}
    outputs.append(
        from_dict(
            {
                "output_type": "execute_result",
                "data": score,
                "metadata": {RESULTS_KEY: grade.as_data()},
                "execution_count": None,
            }
        )
    )
    return outputs
