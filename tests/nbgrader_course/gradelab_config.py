# gradelab's lines for an nbgrader course, as docs/migrating.md gives them: appended to the
# course's nbgrader_config.py.

# The gradebook in gradebook/, which gradelab release makes if it is missing.
import os

c.CourseDirectory.db_url = "sqlite:///" + os.path.join(  # noqa: F821
    os.path.dirname(os.path.abspath(__file__)), "gradebook", "gradebook.db"
)

# Test cells come from the source; deleted ones earn nothing, as in nbgrader.
c.Autograde.sanitize_preprocessors = [  # noqa: F821 - the course's nbgrader config
    "gradelab.grading.test_cells.TestCellsFromSource",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Student code runs in gradelab's sandbox, never in a Jupyter kernel.
c.Autograde.autograde_preprocessors = [  # noqa: F821
    "gradelab.grading.nbgrader_step.GradeInSandbox",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Feedback pages: student text escaped and sanitized, no script, the assignment's images.
c.GenerateFeedback.exporter_class = "gradelab.feedback.page.FeedbackPage"  # noqa: F821
