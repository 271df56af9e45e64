"""Sample submissions of an assignment: the reference, the blank release, named wrong ones.

The wrong ones are declared in ``autograder/<assignment>/selftest.toml``: each replaces some
answer cells of the reference solution and states the score it must get.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from gradelab.course import Course
from gradelab.errors import AssignmentError
from gradelab.grading.sample_submission import Sample, submission_notebook
from gradelab.quiz.samples import generated_samples


def read_listing(listing: Path) -> dict:
    try:
        return tomllib.loads(listing.read_text()) if listing.exists() else {}
    except tomllib.TOMLDecodeError as error:
        raise AssignmentError(f"{listing}: {error}") from None


def manual_points(listing: Path, hand_graded: dict[str, float]) -> dict[str, float]:
    """The ``[manual]`` table of a TOML listing: the points a grader gives the reference's
    answer on each hand-graded cell (``hand_graded``: each such cell and its points). Every
    hand-graded cell must be there, and nothing else."""
    declared = read_listing(listing).get("manual", {})
    missing = sorted(set(hand_graded) - set(declared))
    if missing:
        raise AssignmentError(
            f"{listing}: [manual] must give the points a grader gives the reference's answer "
            f"on each hand-graded cell; add {', '.join(f'{n} = POINTS' for n in missing)}"
        )
    points = {}
    for name, value in declared.items():
        if name not in hand_graded:
            raise AssignmentError(
                f"{listing}: [manual] names {name!r}, which is no hand-graded cell; those are "
                f"{', '.join(sorted(hand_graded)) or 'none'}"
            )
        if not isinstance(value, int | float) or not 0 <= value <= hand_graded[name]:
            raise AssignmentError(
                f"{listing}: [manual] {name} must be a number from 0 to {hand_graded[name]:g}"
            )
        points[name] = float(value)
    return points


def listed_samples(listing: Path) -> list[Sample]:
    """The ``[[wrong]]`` submissions of a TOML listing (see ``selftest.toml``)."""
    declared = read_listing(listing)
    found = []
    for number, wrong in enumerate(declared.get("wrong", []), start=1):
        try:
            cells = {str(name): str(code) for name, code in wrong.get("cells", {}).items()}
            found.append(
                Sample(str(wrong["name"]), float(wrong["score"]), str(wrong.get("why", "")), cells)
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise AssignmentError(
                f"{listing}: [[wrong]] number {number} needs a name, a score and [wrong.cells] "
                "of cell names and code"
            ) from None
    return found


def samples(course: Course, assignment: str) -> list[Sample]:
    """The reference, the blank release, every wrong submission the selftest lists and, for
    a quiz alone, its generated samples (``gradelab.quiz.samples``)."""
    return [
        Sample("reference", None, "the reference solution"),
        Sample("blank", 0.0, "the release notebook, untouched", blank=True),
        *listed_samples(course.hidden_suite(assignment) / "selftest.toml"),
        *generated_samples(course, assignment),
    ]


def place_samples(
    course: Course, assignment: str, listed: list[Sample] | None = None
) -> list[Sample]:
    """Write samples (by default the selftest's) into ``submitted/<student>/<assignment>/``."""
    listed = samples(course, assignment) if listed is None else listed
    for sample in listed:
        folder = course.submission_folder(sample.student, assignment)
        folder.mkdir(parents=True, exist_ok=True)
        for path in course.source_notebooks(assignment):
            text = submission_notebook(course, assignment, path.stem, sample)
            (folder / path.name).write_text(text)
    return listed
