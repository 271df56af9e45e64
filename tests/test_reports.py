"""What instructors read after grading: the HTML report and Gradescope's results.json."""

import json
import re

import pytest

from gradelab.autograde.run import autograde
from gradelab.feedback import write_feedback
from gradelab.gradescope import export_gradescope
from gradelab.report import build_report
from gradelab.samples import place_samples
from gradelab.scores import assignment_scores


@pytest.fixture(scope="module")
def graded(released_course):
    place_samples(released_course, "mse_gradient")
    autograde(released_course, "mse_gradient", force=False, weak=False)
    broken = released_course.submission_folder("broken_json", "mse_gradient")
    broken.mkdir(parents=True, exist_ok=True)
    (broken / "mse_gradient.ipynb").write_text("{not json")
    autograde(released_course, "mse_gradient", "broken_json", force=False, weak=False)
    return released_course


def test_the_report_shows_pass_rates_named_mistakes_and_problems(graded):
    page = build_report(graded, "mse_gradient")
    assert page.count("<svg") == 1 + len(assignment_scores(graded, "mse_gradient")["blank"].cells)
    assert "matches the reference gradient on your data" in page and "pass rate" in page
    assert "the sign is flipped" in page
    not_attempted, limits, refused = (
        re.search(rf'<section id="{name}">(.*?)</section>', page, re.DOTALL).group(1)
        for name in ("not-attempted", "limits", "refused")
    )
    assert "blank" in not_attempted and "blank" not in limits
    assert "loops_forever" in limits and "did not finish within" in limits
    assert "broken_json" in refused and "not valid JSON" in refused
    assert "Content-Security-Policy" in page


def test_gradescope_results_match_the_gradebook(graded, tmp_path):
    written = export_gradescope(graded, "mse_gradient", tmp_path)
    scores = assignment_scores(graded, "mse_gradient")
    assert {path.parent.name for path in written} == set(scores)
    for path in written:
        data = json.loads(path.read_text())
        student = path.parent.name
        assert data["score"] == scores[student].score
        if scores[student].not_graded is None:
            assert sum(t["score"] for t in data["tests"]) == pytest.approx(data["score"])
            assert sum(t["max_score"] for t in data["tests"]) == scores[student].max_score
    flipped = json.loads((tmp_path / "sign_flipped" / "results.json").read_text())
    assert any("sign is flipped" in t["output"] for t in flipped["tests"])
    broken = json.loads((tmp_path / "broken_json" / "results.json").read_text())
    assert broken["score"] == 0 and "not valid JSON" in broken["output"]


def test_feedback_html_shows_scores_messages_and_the_cost_curve(released_copy):
    course = released_copy("update_step")
    place_samples(course, "update_step")
    autograde(course, "update_step", force=False, weak=False)
    write_feedback(course, "update_step")
    page = (
        course.root / "feedback" / "sign_flipped" / "update_step" / "update_step.html"
    ).read_text()
    assert "test_gradient_descent:" in page and "points" in page
    assert "the steps go uphill" in page
    assert "data:image/png;base64," in page
    assert "def test_" not in page and "rng." not in page
