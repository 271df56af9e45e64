"""Gradescope's ``results.json`` for each submission, from gradelab's per-test results."""

from __future__ import annotations

import json
from pathlib import Path

from gradelab.course import Course
from gradelab.feedback.question_titles import question_titles
from gradelab.feedback.results import read_results
from gradelab.scores import assignment_scores


def test_name(test: dict, titles: dict[str, str]) -> str:
    """A test as Gradescope lists it: its question's title, then its own."""
    title = titles.get(str(test.get("cell", "")))
    return f"{title}: {test['title']}" if title and title != test["title"] else test["title"]


def results_json(
    score: float, tests: list[dict], output: str = "", titles: dict[str, str] | None = None
) -> dict:
    return {
        "score": score,
        "output": output,
        "tests": [
            {
                "name": test_name(test, titles or {}),
                "score": test["earned"],
                "max_score": test["points"],
                "status": "passed" if test["earned"] == test["points"] else "failed",
                "output": test["message"],
            }
            for test in tests
        ],
    }


def export_gradescope(course: Course, assignment: str, folder: Path) -> list[Path]:
    """Write ``folder/<student>/results.json`` for every student in the gradebook."""
    results = read_results(course, assignment)
    titles = question_titles(course, assignment)
    written = []
    for student, score in sorted(assignment_scores(course, assignment).items()):
        graded = results.get(student)
        tests = graded.tests if graded and score.not_graded is None else []
        output = f"Not graded: {score.not_graded}" if score.not_graded else ""
        if graded and graded.notes:
            output = "; ".join(graded.notes)
        target = folder / student / "results.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(results_json(score.score, tests, output, titles), indent=2))
        written.append(target)
    return written
