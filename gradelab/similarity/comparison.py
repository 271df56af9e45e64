"""Compare every submission of an assignment with every other: the run behind the report.

Each submission is screened and read (``answers``), fingerprinted without the release's code
(``fingerprints``), and every pair is scored (``pairs``). A submission that cannot be read
or tokenized is listed as not compared, with the reason; the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradelab.autograde.intake import Refused
from gradelab.autograde.run import submitted_students
from gradelab.course import Course
from gradelab.similarity.answers import Answers, Release, read_release, submission_answers
from gradelab.similarity.fingerprints import fingerprint, given_hashes, prose_fingerprint
from gradelab.similarity.pairs import Pair, Prints, Scored, compare_pair, ranked_pairs


@dataclass
class Comparison:
    """What one run compared and found."""

    assignment: str
    release: Release
    answers: dict[str, Answers] = field(default_factory=dict)
    not_compared: dict[str, str] = field(default_factory=dict)
    prints: dict[str, Prints] = field(default_factory=dict)
    ranked: list[Scored] = field(default_factory=list)

    def closest(self, count: int) -> list[Pair]:
        """The ``count`` closest pairs, with their matches part by part."""
        return [compare_pair(s.first, s.second, self.prints, True) for s in self.ranked[:count]]

    def flagged(self, threshold: float) -> int:
        """How many pairs score ``threshold`` or more."""
        return sum(1 for scored in self.ranked if scored.score >= threshold)

    def flagged_beyond(self, threshold: float, count: int) -> int:
        """How many flagged pairs the ``count`` closest leave out."""
        return max(0, self.flagged(threshold) - count)


def compare_submissions(course: Course, assignment: str) -> Comparison:
    """Screen, read and fingerprint every submission of ``assignment``; score every pair."""
    release = read_release(course, assignment)
    given = given_hashes(release.given_code)
    comparison = Comparison(assignment, release)
    for student in submitted_students(course, assignment):
        try:
            answers = submission_answers(course, assignment, student, release)
            prints = Prints.of(
                {
                    part: prose_fingerprint(text)
                    if part in release.prose
                    else fingerprint(text, given)
                    for part, text in answers.parts.items()
                }
            )
        except Refused as refused:
            comparison.not_compared[student] = str(refused)
            continue
        except Exception as error:  # noqa: BLE001 - one submission never stops the others
            comparison.not_compared[student] = (
                f"its code could not be tokenized ({type(error).__name__})"
            )
            continue
        comparison.answers[student] = answers
        comparison.prints[student] = prints
    comparison.ranked = ranked_pairs(comparison.prints)
    return comparison
