"""The report finds a broken question: a class of 30 planted submissions of mse_gradient is
graded for real (sandbox, hidden suites, nbgrader's gradebook), with compute_gradient_wb's
key wrong; the report flags that question and no other. With the right key, it flags none."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from html import unescape

import numpy as np
import pytest
from planted_batch import (
    ASSIGNMENT,
    BROKEN,
    CRASHED,
    LATE,
    LOOPS,
    NOT_ATTEMPTED,
    REFUSED,
    graded_planted_class,
)

from gradelab.report import build_report, write_report
from gradelab.report.analysis import question_reports
from gradelab.report.submissions import Status, read_submissions
from gradelab.scores import assignment_scores

pytestmark = pytest.mark.slow


def flagged(course) -> dict[str, float | None]:
    """The flagged questions and their discrimination."""
    reports = question_reports(read_submissions(course, ASSIGNMENT))
    return {r.question.name: r.statistics.discrimination for r in reports if r.statistics.flags}


def section_html(page: str, name: str) -> str:
    """The markup of the page's section ``name``."""
    found = re.search(rf'<section (?:class="[^"]*" )?id="{name}">(.*?)</section>', page, re.DOTALL)
    assert found, f"no section {name}"
    return found.group(1)


def text(markup: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", markup))


def section(page: str, name: str) -> str:
    """The text of the page's section ``name``, without its markup."""
    return text(section_html(page, name))


def test_a_wrong_key_is_flagged_and_no_other_question(planted_class):
    assert list(flagged(planted_class)) == [BROKEN]
    assert flagged(planted_class)[BROKEN] < 0
    page = build_report(planted_class, ASSIGNMENT)
    flags = re.search(r'<ul class="flags">(.*?)</ul>', page, re.DOTALL).group(1)
    assert re.findall(r'href="#q-([^"]+)"', flags) == [BROKEN]
    assert "strong students fail it as often as weak ones, or more" in flags


def test_the_discrimination_shown_is_the_correlation_of_the_gradebook_scores(planted_class):
    scores = assignment_scores(planted_class, ASSIGNMENT)
    attempted = [
        s for name, s in scores.items() if name not in NOT_ATTEMPTED and s.not_graded is None
    ]
    mine = np.array([s.cells[BROKEN] for s in attempted])
    rest = np.array([s.score for s in attempted]) - mine
    expected = np.corrcoef(mine, rest)[0, 1]
    page = build_report(planted_class, ASSIGNMENT)
    assert f"discrimination {expected:.2f}" in section(page, f"q-{BROKEN}")
    assert f"{len(attempted)} attempted submissions" in section(page, f"q-{BROKEN}")


def test_blank_submissions_are_not_attempted_and_crashes_and_limits_apart(planted_class):
    record = read_submissions(planted_class, ASSIGNMENT)
    status = {s.student: s.status for s in record.submissions}
    assert len(status) == 30
    assert sorted(s for s, v in status.items() if v is Status.NOT_ATTEMPTED) == NOT_ATTEMPTED
    assert [s for s, v in status.items() if v is Status.REFUSED] == [REFUSED]
    page = build_report(planted_class, ASSIGNMENT)
    assert all(name in section(page, "not-attempted") for name in NOT_ATTEMPTED)
    assert "3 not attempted" in section(page, "summary")
    crashes, limits = section(page, "crashes"), section(page, "limits")
    assert CRASHED in crashes and "raised ModuleNotFoundError" in crashes
    assert LOOPS in limits and "did not finish within" in limits
    for name in [*NOT_ATTEMPTED, REFUSED]:
        assert name not in crashes and name not in limits
    assert LOOPS not in crashes and CRASHED not in limits
    assert "not valid JSON" in section(page, "refused")


def test_each_student_has_a_row_with_lateness_and_a_link_to_their_feedback(planted_class):
    target = write_report(planted_class, ASSIGNMENT)
    page = target.read_text()
    rows = {
        text(row.split("</td>")[0]).strip(): row
        for row in re.findall(r"<tr><td[^>]*>.*?</tr>", section_html(page, "students"))
    }
    assert len(rows) == 30
    scores = assignment_scores(planted_class, ASSIGNMENT)
    for student, row in rows.items():
        links = re.findall(r'href="([^"]+)"', row)
        assert links and all((target.parent / link).is_file() for link in links), student
        assert f"feedback/{student}/{ASSIGNMENT}/" in links[0]
        lateness = re.search(r"(\d+ (?:d|h|min|s)\b.*?) late, \u2212(\S+) points", text(row))
        assert (lateness is not None) == (student in LATE), student
        if lateness:  # the course's plugin: 10 % of the score per started day late
            days = math.ceil((LATE[student] - timedelta(hours=1)) / timedelta(days=1))
            expected = min(scores[student].score, scores[student].score * 0.10 * days)
            assert expected > 0
            assert float(lateness.group(2)) == pytest.approx(expected, abs=0.05)
            assert scores[student].late_penalty == pytest.approx(expected)


def test_with_the_right_key_no_question_is_flagged(course):
    with graded_planted_class(course, wrong_key=False) as graded:
        assert flagged(graded) == {}
        reports = question_reports(read_submissions(graded, ASSIGNMENT))
        assert all(r.statistics.discrimination > 0.3 for r in reports)
        assert "No question is flagged." in build_report(graded, ASSIGNMENT)
