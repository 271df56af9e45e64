"""Public checks of typed math answers: strings such as ``"2x + h"`` or sympy expressions,
compared with an expected expression by ``gradelab.symbolic`` (never evaluated as code).

An expected answer in a released check is no secret: use these for answers a student can
verify by definition (a derivative, a limit), and keep the graded key in ``solutions/``.
"""

from __future__ import annotations

from typing import Any

from gradelab.student.report import Result
from gradelab.symbolic import check


def agrees(name: str, text: str, expected: Any, claim: str, **question: Any) -> Result:
    """Whether ``text`` reads as ``expected``; when not, the checker's feedback is added.

    ``question`` holds ``gradelab.symbolic.check``'s options (``variables``, ``mistakes``,
    ``cost`` and ``wrt``, ...).
    """
    result = check(text, expected, **question)
    detail = "" if result.correct else f" ({result.feedback})"
    return bool(result.correct), f"{name} {claim}{detail}"


def typed_results(
    name: str, value: object, expected: Any, claim: str, **question: Any
) -> list[Result]:
    """Checks of a typed answer: it is a string, and it reads as ``expected``.

    >>> from gradelab.student import report
    >>> report(typed_results("derivative", "2x", "2*x", "equals f'(x)", variables=["x"]))
    ✔ derivative is a string
    ✔ derivative equals f'(x)
    All public checks passed. The hidden tests try more cases.
    """
    is_text = isinstance(value, str)
    results = [(is_text, f"{name} is a string")]
    if is_text:
        results.append(agrees(name, value, expected, claim, **question))
    return results


def sympy_results(
    name: str, value: object, expected: Any, claim: str, **question: Any
) -> list[Result]:
    """Checks of an answer built with sympy: it is a sympy expression, equal to ``expected``."""
    import sympy

    is_sympy = isinstance(value, sympy.Basic)
    results = [(is_sympy, f"{name} is a sympy expression")]
    if is_sympy:
        results.append(agrees(name, sympy.sstr(value), expected, claim, **question))
    return results
