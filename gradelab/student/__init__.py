"""The student kit: what release notebooks and their public checks import.

Everything here is public and light (numpy and sympy): students install the ``gradelab``
package, without the instructor's extras, to run a release notebook. Nothing hidden lives
here; the graded answers stay in ``solutions/`` and ``autograder/``.

A public check in an assignment's ``checks.py``::

    from gradelab.student import finite_difference_gradient, is_float_array, report

    def check_gradient(compute_gradient):
        w = np.array([1.0, -2.0])
        result = compute_gradient(w)
        results = [(is_float_array(result, (2,)), "returns a float array of shape (2,)")]
        if results[0][0]:
            expected = finite_difference_gradient(cost, w)
            results.append((np.allclose(result, expected), "matches finite differences"))
        report(results)
"""

from gradelab.student.choices import LETTERS, Choice, check_choices, choice_results, is_letter
from gradelab.student.numeric import finite_difference_gradient, is_float_array, is_number
from gradelab.student.preview import preview, show
from gradelab.student.report import FAIL, PASS, CheckFailed, Result, report
from gradelab.student.typed import agrees, sympy_results, typed_results
from gradelab.student.variants import PRACTICE_ID, hub_user, numbers_id, stable_seed, variant_rng

__all__ = [
    "FAIL",
    "LETTERS",
    "PASS",
    "PRACTICE_ID",
    "CheckFailed",
    "Choice",
    "NotebookQuiz",
    "Result",
    "agrees",
    "check_choices",
    "choice_results",
    "finite_difference_gradient",
    "hub_user",
    "is_float_array",
    "is_letter",
    "is_number",
    "load_quiz",
    "numbers_id",
    "preview",
    "report",
    "show",
    "stable_seed",
    "sympy_results",
    "typed_results",
    "variant_rng",
]


def __getattr__(name: str) -> object:
    """The quiz part of the kit (``load_quiz``, ``NotebookQuiz``), imported on first use: it
    builds on gradelab.quiz, which builds on this package."""
    if name in ("load_quiz", "NotebookQuiz"):
        from gradelab.student import quiz

        return getattr(quiz, name)
    raise AttributeError(f"module 'gradelab.student' has no attribute '{name}'")
