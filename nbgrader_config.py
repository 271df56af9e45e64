"""Course settings for nbgrader and gradelab: one place for paths, the gradebook and limits."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = here
c.CourseDirectory.course_id = "gradient-descent"
# SQLite by default; set GRADELAB_DB_URL (e.g. postgresql://...) for a large course.
c.CourseDirectory.db_url = os.environ.get(
    "GRADELAB_DB_URL", "sqlite:///" + os.path.join(here, "gradebook", "gradebook.db")
)

# Feedback pages: formulas typeset offline, student text escaped and sanitized, no script;
# at the top, what the assignment's policy (below) says of the submission.
c.GenerateFeedback.exporter_class = "gradelab.feedback.page.FeedbackPage"
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "gradelab.feedback.policy.PolicyForFeedback",
    "gradelab.feedback.questions.QuestionsForFeedback",
    "gradelab.feedback.hand_graded.AwaitingGrades",
]

# Grading policies per assignment ("*": all of them). See gradelab/course/policy.py and
# docs/deploy.md: due, feedback_before_due ("everything", "public", "score"), gradings_per_hour,
# counts ("last", "best"), extensions ({"student": "48h"}).
c.Gradelab.policies = {
    "*": {"counts": "last"},
}
# Late submissions lose 10% of the score per started day (nbgrader's late-submission plugin).
c.AssignLatePenalties.plugin_class = "gradelab.course.late_penalty.PercentPerDay"
c.PercentPerDay.percent = 10

# gradelab serve: students submit and fetch feedback through nbgrader's exchange.
c.Exchange.root = os.environ.get("GRADELAB_EXCHANGE", "/srv/nbgrader/exchange")

# Exports quote every cell as needed and never write a cell a spreadsheet would run.
c.ExportApp.plugin_class = "gradelab.exports.grades.SafeCsvExport"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Quizzes: quiz.toml holds the answers and is never released; in the release each quiz
# answer cell is its one-line template (power_rule = "") instead of the code stub.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "quiz.toml"]
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "gradelab.quiz.release.AnswerTemplates",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Test cells come from the source, first: a cell that claims a test cell's id loses it, and
# deleted test cells are put back.
c.Autograde.sanitize_preprocessors = [
    "gradelab.grading.test_cells.TestCellsFromSource",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Autograding runs student code only in gradelab's sandbox, never in a Jupyter kernel:
# GradeInSandbox takes the place of nbgrader's Execute step, so `nbgrader autograde`
# and `gradelab autograde` grade the same way.
c.Autograde.autograde_preprocessors = [
    "gradelab.grading.nbgrader_step.GradeInSandbox",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# `nbgrader validate` on any copy of a notebook (in submitted/, autograded/, ...): its kernel
# also finds the assignment's public modules (`from checks import ...`) in release/<assignment>/.
c.Execute.extra_arguments = [
    "--IPKernelApp.exec_lines=import os, sys; sys.path.append(os.path.join("
    f"{os.path.join(here, 'release')!r}, os.path.basename(os.getcwd())))"
]

# Limits of each submission's sandbox.
c.GradeInSandbox.wall_seconds = 10.0  # wall-clock time for all of a submission's code
# One call into student code may take call_factor times the reference solution's time on
# the same input, and at least call_seconds; a function that takes longer fails alone.
c.GradeInSandbox.call_seconds = 1.0
c.GradeInSandbox.call_factor = 50.0
c.GradeInSandbox.cpu_seconds = 10
c.GradeInSandbox.memory_mb = 1024
c.GradeInSandbox.processes = 32
c.GradeInSandbox.open_files = 64
c.GradeInSandbox.file_size_mb = 16
# Only where namespaces cannot be created: grade with rlimits alone, with a note on each score.
c.GradeInSandbox.accept_weak_isolation = False
