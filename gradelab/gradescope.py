"""Gradescope's ``results.json`` for each submission, from gradelab's per-test results."""

from __future__ import annotations

import json
from pathlib import Path

from gradelab.course import Course
from gradelab.results import read_results
from gradelab.scores import assignment_scores


def results_json(score: float, tests: list[dict], output: str = "") -> dict:
    return {
        "score": score,
        "output": output,
        "tests": [
            {
                "name": test["title"],
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
    written = []
    for student, score in sorted(assignment_scores(course, assignment).items()):
        graded = results.get(student)
        tests = graded.tests if graded and score.not_graded is None else []
        output = f"Not graded: {score.not_graded}" if score.not_graded else ""
        if graded and graded.notes:
            output = "; ".join(graded.notes)
        target = folder / student / "results.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(results_json(score.score, tests, output), indent=2))
        written.append(target)
    return written
