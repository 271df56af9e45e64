"""The public API of hidden suites: what a test in ``autograder/<assignment>/`` imports.

A hidden test is a plain pytest function, tied to an nbgrader grade cell by a marker::

    import numpy as np
    import pytest

    from gradelab.testing import expect_close

    @pytest.mark.points(2, cell="test_compute_gradient")
    def test_matches_reference(student, reference, rng):
        \"\"\"matches the reference gradient on your data\"\"\"
        X, y, w = rng.normal(size=(30, 4)), rng.normal(size=30), rng.normal(size=4)
        expected = reference.compute_gradient(X, y, w)
        expect_close(
            student.compute_gradient(X, y, w),
            expected,
            "compute_gradient",
            mistakes={"the sign is flipped": -expected},
        )

The marker ``@pytest.mark.points(n, cell="grade_id")`` gives the test ``n`` points of that
grade cell; the tests of a cell must add up to the cell's points. The first line of the
docstring is the test's title in the feedback. The test passes (all its points), fails with
one line the student reads (the message of an ``AssertionError``: the ``expect_*`` helpers
below write such lines), or earns a fraction (``PartialCredit``). Any other exception on
the reference solution is the test's own bug: nothing is graded, and ``gradelab autograde``
names the file and line. On a submission, once the reference has passed, it fails that test
(``TypeError`` on an odd object the student returned, say). Tracebacks, the test's source
and its inputs are never shown to students.

Two checks nbgrader's test cells make by hand: ``expect_raises(ValueError, student.f, -1)``
(the student's ``f`` raises ``ValueError``, or a subclass of it, on ``-1``) and
``expect_uses(student, "g", "f", 2)`` (the student's ``g`` uses their own ``f``: with ``f``
gone from their notebook, ``g(2)`` raises ``NameError``).

Fixtures:

``student``
    The submission. ``student.f(*args)`` calls the student's function ``f`` in the sandbox
    with plain data (numbers, strings, lists, dicts, numpy arrays) and returns plain data;
    ``student.value("name")`` reads a variable. A call that raises, loops or crashes raises
    ``SubmissionError``, which fails the test with a line naming what happened.
    ``student.without("f").g(2)`` calls ``g`` while the student's ``f`` is gone.
``reference``
    The assignment's reference solution, ``solutions/<assignment>.py``, as a module.
``rng``
    A ``numpy.random.Generator`` seeded by the course, a course secret, the assignment, the
    student and the test: each student gets inputs of their own, the same on every regrade,
    and nobody can compute them from public files.
``student_id``, ``course_id``
    The id of the student being graded, and of the course.
``plot``
    ``plot(title, {label: values}, xlabel="step", ylabel="cost", log_y=False, level=None)``
    adds a line chart to the test's grade cell in the student's feedback.

The assignment's public files (``source/<assignment>/*.py``, released to students) can be
imported by name in hidden tests and in the reference, as in the notebook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from gradelab.questions.printed import SympyText
from gradelab.sandbox.session import StudentRaised, SubmissionError
from gradelab.sandbox.wire import Unsupported
from gradelab.student.choices import Choice
from gradelab.symbolic import CheckResult, Mistake, check

__all__ = [
    "CheckResult",
    "Choice",
    "Mistake",
    "PartialCredit",
    "SubmissionError",
    "SympyText",
    "Unsupported",
    "as_numbers",
    "check",
    "expect_choice",
    "expect_close",
    "expect_credit",
    "expect_float_array",
    "expect_pair_of_numbers",
    "expect_raises",
    "expect_uses",
    "kind_of",
    "sympy_answer",
    "typed_answer",
]


class PartialCredit(Exception):  # noqa: N818 - what a test raises to give part of its points
    """Raised by a test to earn ``fraction`` of its points, telling the student ``message``.

    >>> raise PartialCredit(0.5, "the sign is flipped")  # doctest: +SKIP
    """

    def __init__(self, fraction: float, message: str) -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"a partial credit fraction must be in [0, 1], not {fraction}")
        super().__init__(message)
        self.fraction = float(fraction)
        self.message = message


def kind_of(value: Any) -> str:
    """What a value is, for a message: "a float64 array of shape (3,)", "a str", ...

    >>> kind_of([1, 2])
    'a list'
    """
    if isinstance(value, Unsupported):
        return f"an object of type {value.type_name}"
    if isinstance(value, SympyText):
        return "a sympy expression"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    return f"a {type(value).__name__}"


def as_numbers(value: Any, what: str) -> np.ndarray:
    """``value`` as a float array, or a failure saying it is not (real) numbers: a complex
    value is refused, never cut to its real part.

    >>> as_numbers([1, 2], "f")
    array([1., 2.])
    """
    try:
        array = np.asarray(value)
        if array.dtype.kind == "c":
            raise AssertionError(f"{what} returned complex numbers; expected real numbers")
        array = array.astype(float)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} returned {kind_of(value)}, which is not numbers") from None
    return array


def expect_float_array(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """``value`` is a float ndarray of exactly ``shape``; return it.

    >>> expect_float_array(np.zeros(3), (3,), "compute_gradient").shape
    (3,)
    """
    if not isinstance(value, np.ndarray):
        raise AssertionError(f"{what} returned {kind_of(value)}; expected a numpy array")
    if value.shape != shape:
        raise AssertionError(f"{what} returned shape {value.shape}; expected {shape}")
    if value.dtype.kind != "f":
        raise AssertionError(f"{what} returned dtype {value.dtype}; expected a float dtype")
    return value


def expect_pair_of_numbers(value: Any, what: str) -> tuple[float, float]:
    """``value`` is a pair (tuple or list) of two single numbers; return them as floats.

    >>> expect_pair_of_numbers((1, 2.5), "compute_gradient_wb")
    (1.0, 2.5)
    """
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise AssertionError(f"{what} returned {kind_of(value)}; expected a pair (dJ/dw, dJ/db)")
    first, second = (as_numbers(item, what) for item in value)
    if first.shape != () or second.shape != ():
        raise AssertionError(f"{what} returned a pair whose entries are not single numbers")
    return float(first), float(second)


def expect_close(
    value: Any,
    expected: Any,
    what: str,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    mistakes: Mapping[str, Any] | None = None,
) -> None:
    """``value`` equals ``expected`` within tolerance; if instead it matches one of the named
    ``mistakes`` (message -> the value that mistake gives), the failure says which.

    >>> expect_close(np.array([2.0]), np.array([2.0]), "f")
    """
    actual = as_numbers(value, what)
    target = np.asarray(expected, dtype=float)
    if actual.shape != target.shape:
        raise AssertionError(f"{what} returned shape {actual.shape}; expected {target.shape}")
    if not np.all(np.isfinite(actual)):
        raise AssertionError(f"{what} returned NaN or infinity")
    scale = atol + rtol * np.max(np.abs(target), initial=0.0)
    if np.allclose(actual, target, rtol=rtol, atol=scale):
        return
    for message, candidate in (mistakes or {}).items():
        wrong = np.asarray(candidate, dtype=float)
        if wrong.shape == target.shape and np.allclose(actual, wrong, rtol=rtol, atol=scale):
            raise AssertionError(f"{what}: {message}")
    raise AssertionError(f"{what} differs from the reference result")


def expect_choice(value: Any, choice: Choice, name: str) -> None:
    """``value`` is the right letter of ``choice``; otherwise the failure says why the letter
    given is wrong (``Choice.why_not``).

    >>> expect_choice("b", Choice("b", {"a": "that is the direction"}), "q_rate")
    """
    right, why = choice.verdict(value)
    if not right:
        raise AssertionError(f"{name}: {why}")


def typed_answer(value: Any, name: str) -> str:
    """``value`` is a string typed by hand (not a sympy expression); return it.

    >>> typed_answer("2x", "derivative")
    '2x'
    """
    if isinstance(value, SympyText) or not isinstance(value, str):
        raise AssertionError(f'{name} is {kind_of(value)}; expected a string such as "2x"')
    return value


def sympy_answer(value: Any, name: str) -> str:
    """``value`` is a sympy expression (it arrives as the text of sympy's printer, which
    ``check`` reads safely); return that text."""
    if not isinstance(value, SympyText):
        raise AssertionError(f"{name} is {kind_of(value)}; expected a sympy expression")
    return value


def expect_credit(result: CheckResult, name: str, *, at_least: float = 1.0) -> None:
    """Judge a typed answer's ``check`` result: pass when right (or when its score reaches
    ``at_least``); earn its partial score for a named mistake; otherwise fail. The message is
    the checker's feedback.

    >>> expect_credit(check("2x", "2*x", variables=["x"]), "derivative")
    """
    if result.correct or result.score >= at_least:
        return
    if result.score > 0:
        raise PartialCredit(result.score, f"{name}: {result.feedback}")
    raise AssertionError(f"{name}: {result.feedback}")


def expect_raises(error: type[BaseException], function: Callable[..., Any], *args: Any) -> None:
    """Calling the student's ``function`` with ``args`` raises ``error`` (or a subclass of
    it); returning, or raising another error, fails.

    >>> expect_raises(ValueError, student.cubes, 0)  # doctest: +SKIP
    """
    name = getattr(function, "__name__", "the function")
    try:
        value = function(*args)
    except StudentRaised as raised:
        if error.__name__ in raised.kinds:
            return
        raise AssertionError(f"{name} raised {raised.type}; expected {error.__name__}") from None
    raise AssertionError(f"{name} returned {kind_of(value)}; expected it to raise {error.__name__}")


def expect_uses(student: Any, function: str, helper: str, *args: Any) -> None:
    """The student's ``function`` uses their own ``helper``: called with ``args`` while
    ``helper`` is gone from their notebook, it raises ``NameError``. (nbgrader's way: ``del
    helper``, then ``function`` must fail.)

    >>> expect_uses(student, "sum_of_cubes", "cubes", 2)  # doctest: +SKIP
    """
    try:
        getattr(student.without(helper), function)(*args)
    except StudentRaised as raised:
        if "NameError" in raised.kinds:
            return
        raise AssertionError(
            f"{function} raised {raised.type} without {helper}; expected NameError"
        ) from None
    raise AssertionError(f"{function} does not use your {helper}")
