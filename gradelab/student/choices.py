"""Multiple-choice questions: a student answers with one letter, such as ``"b"``.

The right letter lives with the reference solution (``solutions/``), never in a released
file: the public check only says whether an answer is one of the letters, and the hidden
test (``gradelab.testing.expect_choice``) says whether it is the right one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gradelab.student.report import Result, report

LETTERS = "abcd"


@dataclass(frozen=True)
class Choice:
    """The right letter of a question and, for each wrong letter, why it is wrong.

    >>> Choice("b", {"a": "the direction comes from the gradient"})
    Choice(answer='b', why_not={'a': 'the direction comes from the gradient'}, letters='abcd')
    """

    answer: str
    why_not: Mapping[str, str] = field(default_factory=dict)
    letters: str = LETTERS

    def __post_init__(self) -> None:
        if self.answer not in self.letters:
            raise ValueError(f"the answer {self.answer!r} is not one of the letters {self.letters}")
        unknown = set(self.why_not) - set(self.letters)
        if unknown:
            raise ValueError(f"why_not names letters {sorted(unknown)} outside {self.letters}")

    def verdict(self, given: object) -> tuple[bool, str]:
        """(right, what to tell the student) for the answer ``given``."""
        if not isinstance(given, str):
            return False, f'answer with one letter as a string, such as "{self.letters[0]}"'
        letter = given.strip().lower()
        if letter == self.answer:
            return True, "right"
        if letter not in self.letters:
            shown = given if len(given) <= 20 else given[:17] + "..."
            return False, f'"{shown}" is not one of the letters {", ".join(self.letters)}'
        return False, self.why_not.get(letter, "not the right choice")


def is_letter(answer: object, letters: str = LETTERS) -> bool:
    """Whether ``answer`` is a string holding one of ``letters`` (case and spaces ignored)."""
    return (
        isinstance(answer, str) and len(answer.strip()) == 1 and answer.strip().lower() in letters
    )


def choice_results(letters: str = LETTERS, **answers: object) -> list[Result]:
    """For each answer, whether it is one of ``letters`` (not whether it is right)."""
    return [
        (is_letter(answer, letters), f"{name} is one of the letters {', '.join(letters)}")
        for name, answer in answers.items()
    ]


def check_choices(letters: str = LETTERS, **answers: object) -> None:
    """Public check of multiple-choice answers: each is one of ``letters``.

    >>> check_choices(q_rate="a", q_zero="d")
    ✔ q_rate is one of the letters a, b, c, d
    ✔ q_zero is one of the letters a, b, c, d
    All public checks passed. The hidden tests try more cases.
    """
    report(choice_results(letters, **answers))
