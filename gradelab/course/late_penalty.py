"""A late-submission plugin for nbgrader: a share of the score per started day late.

In ``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "gradelab.course.late_penalty.PercentPerDay"
    c.PercentPerDay.percent = 10      # of the notebook's score, per started day late

nbgrader's own plugin (``LateSubmissionPlugin``: no penalty, or zero) works as well. Either
way nbgrader computes the time late from the due date and the student's extension.
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

DAY = 24 * 3600


class PercentPerDay(LateSubmissionPlugin):
    """``percent`` of the notebook's score off for each started day late, up to all of it."""

    percent = Float(10.0, help="Percent of the score taken off per started day late.").tag(
        config=True
    )

    def late_submission_penalty(
        self, student_id: str, score: float, total_seconds_late: float
    ) -> float | None:
        if total_seconds_late <= 0:
            return None
        days = math.ceil(total_seconds_late / DAY)
        return min(score, score * self.percent / 100 * days)
