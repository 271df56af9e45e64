"""``gradelab similarity ASSIGNMENT``: write the report, print the closest pairs.

The defaults: a pair is flagged from ``DEFAULT_THRESHOLD`` percent, where half of the runs of
code of the two submissions are shared; on the planted test of ``docs/similarity.md``,
copies score far above it and independent solutions far below. ``DEFAULT_PAIRS`` pairs are shown:
every pair of a group of six who share their code (15 pairs) and the next closest, few
enough to read each one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from gradelab.text import printable

if TYPE_CHECKING:  # the comparison imports copydetect and matplotlib: only when it runs
    from gradelab.course import Course
    from gradelab.similarity.comparison import Comparison
    from gradelab.similarity.pairs import Pair

DEFAULT_THRESHOLD = 50.0
DEFAULT_PAIRS = 20


def report_path(course: Course, assignment: str) -> Path:
    return course.root / "gradebook" / f"similarity_{assignment}.html"


def pairs_table(comparison: Comparison, shown: list[Pair], threshold: float) -> str:
    """The pairs ``shown`` and the submissions not compared, for the terminal."""
    from gradelab.similarity.page import percent

    lines = [
        f"{comparison.assignment}: {len(comparison.answers)} submissions compared, "
        f"{len(comparison.not_compared)} not compared; {len(comparison.ranked)} pairs, "
        f"{comparison.flagged(threshold)} at or above {100 * threshold:g}%",
        f"  {'rank':>4}  {'student A':<22}{'student B':<22}{'score':>6}{'A':>6}{'B':>6}",
    ]
    for rank, pair in enumerate(shown, start=1):
        flag = "  flagged" if pair.score >= threshold else ""
        lines.append(
            f"  {rank:>4}  {printable(pair.first, 21):<22}{printable(pair.second, 21):<22}"
            f"{percent(pair.score):>6}{percent(pair.share(0)):>6}{percent(pair.share(1)):>6}"
            f"{flag}"
        )
    left_out = comparison.flagged_beyond(threshold, len(shown))
    if left_out > 0:
        lines.append(f"  {left_out} more flagged pairs not shown: raise --pairs")
    for student, reason in sorted(comparison.not_compared.items()):
        lines.append(f"  not compared: {printable(student, 60)}: {printable(reason, 300)}")
    return "\n".join(lines)


def percent_argument(text: str) -> float:
    """A threshold in percent, from 0 to 100."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text} is not a percentage from 0 to 100")
    return value


def count_argument(text: str) -> int:
    """A number of pairs, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: show at least one pair")
    return value


def add_similarity_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment")
    parser.add_argument(
        "--threshold",
        type=percent_argument,
        default=DEFAULT_THRESHOLD,
        metavar="PERCENT",
        help=f"flag pairs scoring this much or more (default: {DEFAULT_THRESHOLD:g})",
    )
    parser.add_argument(
        "--pairs",
        type=count_argument,
        default=DEFAULT_PAIRS,
        metavar="N",
        help=f"how many of the closest pairs to show (default: {DEFAULT_PAIRS})",
    )
    parser.add_argument("--json", action="store_true", help="print the pairs shown as JSON")


def run_similarity(course: Course, args: argparse.Namespace) -> int:
    """Compare the submissions, write the report, print the table."""
    from gradelab.similarity.comparison import compare_submissions
    from gradelab.similarity.page import page

    assignment = course.require_assignment(args.assignment)
    threshold = args.threshold / 100
    comparison = compare_submissions(course, assignment)
    target = report_path(course, assignment)
    target.parent.mkdir(parents=True, exist_ok=True)
    shown = comparison.closest(args.pairs)
    target.write_text(page(comparison, shown, threshold), encoding="utf-8")
    if args.json:
        print(json.dumps(pairs_data(comparison, shown, threshold), ensure_ascii=False, indent=1))
    else:
        print(pairs_table(comparison, shown, threshold))
        print(f"report written to {target}")
    return 0


def pairs_data(comparison: Comparison, shown: list[Pair], threshold: float) -> dict:
    """The closest pairs as data: each pair's score and shares, flagged or not."""
    return {
        "assignment": comparison.assignment,
        "threshold_percent": threshold * 100,
        "flagged": comparison.flagged(threshold),
        "pairs": [
            {
                "first": pair.first,
                "second": pair.second,
                "percent": round(pair.score * 100, 1),
                "flagged": pair.score >= threshold,
            }
            for pair in shown
        ],
        "not_compared": comparison.not_compared,
    }
