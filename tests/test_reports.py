"""What instructors read after grading: the HTML report and Gradescope's results.json."""

import json
import re

import nbformat
import pytest

from gradelab import nbgrader_commands
from gradelab.autograde.run import autograde
from gradelab.exports.gradescope import export_gradescope
from gradelab.feedback.write import write_feedback
from gradelab.grading.nbgrader_step import RESULTS_KEY
from gradelab.report import build_report
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import place_samples, samples


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
    assert "2. The descent loop:" in page and "points" in page  # the question's title
    assert "the steps go uphill" in page
    assert "data:image/png;base64," in page
    assert "def test_" not in page and "rng." not in page


def test_a_damaged_graded_notebook_is_named_and_the_rest_still_reported(course):
    with scratch_course(course) as scratch:
        nbgrader_commands.release(scratch, "mse_gradient")
        chosen = ("reference", "sign_flipped", "raises")
        place_samples(scratch, "mse_gradient", [s for s in samples(scratch, "mse_gradient")
                                                 if s.student in chosen])  # fmt: skip
        autograde(scratch, "mse_gradient", force=False, weak=False)
        damaged = scratch.autograded_folder("raises", "mse_gradient") / "mse_gradient.ipynb"
        damaged.write_text("{damaged")
        forged = scratch.autograded_folder("sign_flipped", "mse_gradient") / "mse_gradient.ipynb"
        notebook = nbformat.read(forged, as_version=4)
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                if RESULTS_KEY in output.get("metadata", {}):
                    output.metadata[RESULTS_KEY]["tests"] = [
                        {"title": 5, "points": 1, "earned": 0, "message": "m" * 100_000},
                        {"title": "t", "points": "NaN", "earned": [], "message": None},
                        "not a test",
                    ]
        forged.write_text(nbformat.writes(notebook))
        page = build_report(scratch, "mse_gradient")
    notes = re.search(r'<section id="notes">(.*?)</section>', page, re.DOTALL).group(1)
    assert "raises" in notes and "its autograded notebook mse_gradient.ipynb" in notes
    students = re.search(r'<section id="students">(.*?)</section>', page, re.DOTALL).group(1)
    assert all(f">{name}</td>" in students for name in chosen)
    assert "m" * 399 + "\u2026" in page and "m" * 400 not in page  # cut, with an ellipsis
