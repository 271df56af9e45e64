"""Expressions written the way students type them: ``2/n*sum((w*x_i - y_i)*x_i, i)``."""

from __future__ import annotations

import sympy
from sympy.printing.str import StrPrinter


class _TypedPrinter(StrPrinter):
    printmethod = "_gradelab_typed"  # not the objects' own _sympystr: x[i] is printed x_i

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Indexed(self, expr: sympy.Indexed) -> str:
        return f"{expr.base.label}_{self._print(expr.indices[0])}"

    def _print_Sum(self, expr: sympy.Sum) -> str:
        (index, _, _), *_ = expr.limits
        return f"sum({self._print(expr.function)}, {self._print(index)})"

    def _print_ImmutableDenseMatrix(self, expr: sympy.ImmutableMatrix) -> str:
        return "[" + ", ".join(self._print(entry) for entry in expr) + "]"

    _print_MutableDenseMatrix = _print_ImmutableDenseMatrix

    def _print_Equality(self, expr: sympy.Eq) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"


def as_typed(expr: sympy.Basic) -> str:
    """``expr`` in the typed-math grammar (``^`` powers, ``x_i`` data, ``sum(..., i)``);
    ``gradelab.symbolic.parse`` reads it back as the same expression."""
    return _TypedPrinter().doprint(expr).replace("**", "^")
