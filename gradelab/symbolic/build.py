"""Building sympy values from parsed pieces, within the limits, with plain messages.

Values are scalar sympy expressions or immutable matrices (``[a, b]`` is a column vector).
Every function here raises ParseError at the given position instead of building something
too large, undefined or meaningless (a vector inside ``exp``, a product of two matrices).
"""

from __future__ import annotations

import math

import sympy

from gradelab.symbolic.limits import Limits
from gradelab.symbolic.numeric import Point, Unevaluable, evaluate
from gradelab.symbolic.tokens import ParseError, at

Value = sympy.Expr | sympy.ImmutableMatrix
_UNDEFINED = (sympy.S.NaN, sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity)
_FUNCTIONS = {
    "exp": sympy.exp,
    "log": sympy.log,
    "ln": sympy.log,
    "abs": sympy.Abs,
    "Abs": sympy.Abs,
    "sign": sympy.sign,
    "floor": sympy.floor,
    "ceiling": sympy.ceiling,
    **{
        name: getattr(sympy, name)
        for name in ("sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh")
    },
    **{name: getattr(sympy, name) for name in ("asin", "acos", "atan", "acot", "asec", "acsc")},
    "min": sympy.Min,
    "max": sympy.Max,
}


def is_matrix(value: object) -> bool:
    return isinstance(value, sympy.MatrixBase)


def describe(value: Value) -> str:
    """'a single expression', 'a vector of 3 entries' or 'a 2 by 2 matrix'."""
    if isinstance(value, sympy.Eq):
        return "an equation"
    if not is_matrix(value):
        return "a single expression"
    rows, cols = value.shape
    if 1 in (rows, cols):
        size = rows * cols
        return f"a vector of {size} {'entry' if size == 1 else 'entries'}"
    return f"a {rows} by {cols} matrix"


def digits(number: sympy.Rational) -> int:
    """Decimal digits of the larger of numerator and denominator."""
    bits = max(abs(int(number.p)).bit_length(), int(number.q).bit_length())
    return math.ceil(bits * math.log10(2))


def _bounded(value: Value, position: int, limits: Limits) -> Value:
    if is_matrix(value):
        return value
    coefficient = value
    if value.is_Mul:
        coefficient = value.as_coeff_Mul()[0]
    elif value.is_Add:
        coefficient = value.as_coeff_Add()[0]
    if coefficient.is_Rational and digits(coefficient) > limits.number_digits:
        raise ParseError(
            f"the number {at(position)} would have more than {limits.number_digits} digits",
            position,
        )
    if coefficient in _UNDEFINED:
        raise ParseError(f"this is undefined (a division by zero?) {at(position)}", position)
    return value


def add(left: Value, right: Value, position: int, limits: Limits, *, subtract: bool) -> Value:
    if is_matrix(left) != is_matrix(right) or (is_matrix(left) and left.shape != right.shape):
        verb = "subtract" if subtract else "add"
        raise ParseError(
            f"cannot {verb} {describe(left)} and {describe(right)} {at(position)}", position
        )
    return _bounded(left - right if subtract else left + right, position, limits)


def negate(value: Value) -> Value:
    return -value


def multiply(left: Value, right: Value, position: int, limits: Limits) -> Value:
    if is_matrix(left) and is_matrix(right):
        raise ParseError(
            f"multiplying two vectors or matrices {at(position)} is not supported; "
            "write each entry",
            position,
        )
    return _bounded(left * right, position, limits)


def divide(left: Value, right: Value, position: int, limits: Limits) -> Value:
    if is_matrix(right):
        raise ParseError(f"cannot divide by {describe(right)} {at(position)}", position)
    if right.is_Number and right.is_zero:
        raise ParseError(f"division by zero {at(position)}", position)
    return _bounded(left / right, position, limits)


def power(base: Value, exponent: Value, position: int, limits: Limits) -> Value:
    if is_matrix(base) or is_matrix(exponent):
        raise ParseError(
            f"powers of vectors or matrices {at(position)} are not supported", position
        )
    if exponent.is_Number:
        if abs(exponent) > limits.exponent:
            raise ParseError(
                f"the exponent {exponent} {at(position)} is too large "
                f"(the limit is {limits.exponent})",
                position,
            )
        if base.is_Number and base.is_zero and exponent.is_negative:
            raise ParseError(f"division by zero {at(position)}", position)
        if base.is_Rational and exponent.is_Rational:
            if digits(base) * abs(float(exponent)) > limits.number_digits:
                raise ParseError(
                    f"the number {at(position)} would have more than {limits.number_digits} digits",
                    position,
                )
            if not exponent.is_Integer and digits(base) > limits.root_digits:
                raise ParseError(
                    f"roots of numbers with more than {limits.root_digits} digits "
                    f"{at(position)} are not supported",
                    position,
                )
    _check_constant_power(base, exponent, position, limits)
    return _in_range(_bounded(base**exponent, position, limits), position)


def _check_constant_power(base: Value, exponent: Value, position: int, limits: Limits) -> None:
    """Refuse ``b^(c*r)`` for constant b and r and a large number c before sympy sees it:
    it would compute the power exactly (``exp(999999999999*log(2))`` is 2^999999999999)."""
    if base.free_symbols:
        return
    for term in sympy.Add.make_args(exponent):
        coefficient, rest = term.as_coeff_Mul()
        if rest.free_symbols or not coefficient.is_Number:
            continue
        size = max([1, *(digits(number) for number in rest.atoms(sympy.Rational))])
        if abs(float(coefficient)) * size > limits.number_digits:
            raise ParseError(
                f"the power {at(position)} is too large (its exponent has the number "
                f"{coefficient}; the limit is {limits.exponent})",
                position,
            )


def _in_range(value: Value, position: int) -> Value:
    """``value``, if it is not a constant too large to evaluate (such as exp(exp(1000)))."""
    if is_matrix(value) or value.free_symbols or value.is_Rational:
        return value
    try:
        evaluate(value, Point({}, {}))
    except Unevaluable:
        raise ParseError(f"the number {at(position)} is too large to handle", position) from None
    return value


def apply(name: str, arguments: list[Value], position: int, limits: Limits) -> Value:
    """``name(arguments...)`` for one of the whitelisted functions."""
    for argument in arguments:
        if is_matrix(argument):
            raise ParseError(
                f"{name} of {describe(argument)} {at(position)} is not supported", position
            )
    argument = arguments[0]
    if name == "log" and len(arguments) == 2:
        base = arguments[1]
        if base.is_Number and (base <= 0 or base == 1):
            raise ParseError(f"log(x, {base}) {at(position)} has no meaning", position)
        natural = apply("log", [argument], position, limits)
        return divide(natural, apply("log", [base], position, limits), position, limits)
    if name in ("min", "max"):
        return _in_range(_bounded(_FUNCTIONS[name](*arguments), position, limits), position)
    if name == "sqrt":
        return power(argument, sympy.S.Half, position, limits)
    if name in ("exp", "sigmoid"):
        _check_constant_power(sympy.E, argument, position, limits)
    if name == "sigmoid":
        return _in_range(1 / (1 + sympy.exp(-argument)), position)
    if name in ("log", "ln") and argument.is_Number and argument.is_zero:
        raise ParseError(f"{name}(0) {at(position)} is undefined", position)
    return _in_range(_bounded(_FUNCTIONS[name](argument), position, limits), position)


def equation(left: Value, right: Value, position: int) -> sympy.Eq:
    """``left = right``, kept as written."""
    if is_matrix(left) or is_matrix(right):
        raise ParseError(f"an equation {at(position)} must be between single expressions", position)
    return sympy.Eq(left, right, evaluate=False)


def summation(body: Value, index: sympy.Symbol, count: sympy.Symbol, position: int) -> Value:
    """``sum(body, i)``: the sum of body for i = 1..n."""
    if is_matrix(body):
        raise ParseError(f"the sum {at(position)} must be of a single expression", position)
    return sympy.Sum(body, (index, 1, count))


def matrix(items: list, position: int) -> sympy.ImmutableMatrix:
    """``[a, b]`` (a column vector) or ``[[a, b], [c, d]]`` (rows)."""
    nested = [isinstance(item, list) for item in items]
    if any(nested) and not all(nested):
        raise ParseError(
            f"mix of entries and rows in the brackets {at(position)}: write [a, b] for a "
            "vector or [[a, b], [c, d]] for a matrix",
            position,
        )
    rows = items if all(nested) else [[item] for item in items]
    if len({len(row) for row in rows}) > 1:
        raise ParseError(f"the rows {at(position)} have different lengths", position)
    for row in rows:
        for entry in row:
            if is_matrix(entry):
                raise ParseError(
                    f"an entry {at(position)} is itself a vector; write a matrix as "
                    "[[a, b], [c, d]]",
                    position,
                )
    return sympy.ImmutableMatrix(rows)


def finish(value: Value, limits: Limits) -> Value:
    """One pass over the finished value: its size, its numbers, nothing infinite."""
    entries = list(value) if is_matrix(value) else [value]
    nodes = 0
    for entry in entries:
        for node in sympy.preorder_traversal(entry):
            nodes += 1
            if nodes > limits.tree:
                raise ParseError(f"the expression is too large (over {limits.tree} parts)", 0)
            if node in _UNDEFINED:
                raise ParseError("this is undefined somewhere (a division by zero?)", 0)
            if node.is_Rational and digits(node) > limits.number_digits:
                raise ParseError(f"a number would have more than {limits.number_digits} digits", 0)
            if node.is_Pow and node.exp.is_Number and abs(node.exp) > limits.exponent:
                raise ParseError(
                    f"a power would have the exponent {_shown(node.exp)}, over the limit of "
                    f"{limits.exponent} (a power of a power multiplies the exponents; a product "
                    "of powers adds them)",
                    0,
                )
    return value


def _shown(number: sympy.Number) -> str:
    text = str(number)
    return text if len(text) <= 20 else text[:17] + "..."
