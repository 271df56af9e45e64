"""``gradelab report``: one HTML page on how an assignment went.

Score distribution, pass rate per test, the most common failure messages (the named
mistakes), and the submissions that could not be graded, crashed or hit a limit.
"""

from __future__ import annotations

import html
import statistics
from collections import Counter
from pathlib import Path

from gradelab.course import Course
from gradelab.results import read_results
from gradelab.scores import assignment_scores

LIMIT_WORDS = ("did not finish", "time limit", "stopped", "ended the submission", "killed")
STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:60em}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
    "th{background:#eee;text-align:left}.bar{fill:#4a7ab5}"
)


def histogram_svg(scores: list[float], maximum: float, bins: int = 10) -> str:
    """A bar chart of scores as inline SVG."""
    counts = [0] * bins
    for score in scores:
        counts[min(int(score / maximum * bins), bins - 1) if maximum else 0] += 1
    tallest = max(counts) or 1
    width, height = 40, 150
    bars = []
    for index, count in enumerate(counts):
        bar = height * count / tallest
        low, high = maximum * index / bins, maximum * (index + 1) / bins
        bars.append(
            f'<rect class="bar" x="{index * width + 2}" y="{height - bar}" width="{width - 4}" '
            f'height="{bar}"><title>{low:g} to {high:g}: {count}</title></rect>'
            f'<text x="{index * width + 4}" y="{height + 14}" font-size="10">{low:g}</text>'
        )
    return f'<svg width="{bins * width}" height="{height + 20}">{"".join(bars)}</svg>'


def table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def build_report(course: Course, assignment: str) -> str:
    scores = assignment_scores(course, assignment)
    results = read_results(course, assignment)
    values = [s.score for s in scores.values()]
    maximum = max((s.max_score for s in scores.values()), default=0.0)
    passes: dict[str, list[bool]] = {}
    failures: Counter[str] = Counter()
    problems = []
    for student, found in sorted(results.items()):
        for test in found.tests:
            passes.setdefault(test["title"], []).append(test["earned"] == test["points"])
            if test["message"] and test["earned"] < test["points"]:
                failures[test["message"]] += 1
        limits = {t["message"] for t in found.tests if any(w in t["message"] for w in LIMIT_WORDS)}
        for reason in sorted(limits) + found.notes:
            problems.append([student, reason])
    problems += [[s, f"not graded: {v.not_graded}"] for s, v in scores.items() if v.not_graded]
    summary = (
        f"{len(values)} submissions; mean {statistics.fmean(values):.2f}, median "
        f"{statistics.median(values):g} of {maximum:g}"
        if values
        else "no graded submissions yet"
    )
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{assignment} report</title>",
        f"<style>{STYLE}</style></head><body><h1>{html.escape(assignment)}</h1><p>{summary}</p>",
        "<h2>Score distribution</h2>",
        histogram_svg(values, maximum) if values else "",
        "<h2>Pass rate per test</h2>",
        table(
            ["test", "passed", "pass rate"],
            [[t, f"{sum(p)}/{len(p)}", f"{sum(p) / len(p):.0%}"] for t, p in passes.items()],
        ),
        "<h2>Most common mistakes</h2>",
        table(["message", "failed tests"], [[m, n] for m, n in failures.most_common(20)]),
        "<h2>Crashes, limits and submissions not graded</h2>",
        table(["student", "what happened"], sorted(problems)),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(course: Course, assignment: str) -> Path:
    target = course.root / "gradebook" / f"report_{assignment}.html"
    target.write_text(build_report(course, assignment))
    return target
