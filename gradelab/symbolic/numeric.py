"""Comparing expressions at random points, by walking the sympy tree with complex numbers.

No code is generated or compiled: each node type the parser can build has its own rule, and
anything else makes the point unusable. A point fixes every scalar (signed values of size
0.5 to 2), the count n (2 to 7), the data vectors x_1..x_n and a value for a free index i.
"""

from __future__ import annotations

import cmath
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

from gradelab.symbolic.vocabulary import Vocabulary

STRONG = 4
NEAR = 1e-5
WIDE_MAGNITUDE = 100_000
#: Powers whose exponent is larger at a point than this overflow or underflow both kinds of
#: numbers (unless the base is about 1); they are not computed.
MAX_EXPONENT = 100_000
POINT_SECONDS = 0.5
#: With 80 digits, values that are equal differ by less than this fraction of their size.
PRECISE_SCALE = 1e-40


@dataclass(frozen=True)
class _Arithmetic:
    """How leaves become numbers and which function computes each sympy function."""

    convert: Callable[[complex], Any]
    ratio: Callable[[int, int], Any]
    functions: dict[type, Callable[[Any], Any]]
    constants: dict[sympy.Basic, Callable[[], Any]]
    bounded: Callable[[Any], Any]


def _within_range(value: Any) -> Any:
    if value != 0 and mpmath.mag(value) > WIDE_MAGNITUDE:
        raise OverflowError("beyond the range of wide numbers")
    return value


def _wide_exp(z: Any) -> Any:
    if mpmath.re(z) > WIDE_MAGNITUDE:
        raise OverflowError("beyond the range of wide numbers")
    return mpmath.exp(z)


def _periodic(function: Callable[[Any], Any], bits: Callable[[], int]) -> Callable[[Any], Any]:
    """``function`` for arguments below 2**bits(): larger ones cannot be reduced by the
    period with the precision at hand, and would give noise."""

    def bounded(z: Any) -> Any:
        if z != 0 and mpmath.mag(z) > bits():
            raise OverflowError("argument too large")
        return function(z)

    return bounded


def _float_bits() -> int:
    return 40  # of a float's 53


def _mpmath_bits() -> int:
    return mpmath.mp.prec - 13


FLOATS = _Arithmetic(
    convert=complex,
    ratio=lambda p, q: complex(p / q),
    functions={
        sympy.exp: cmath.exp,
        sympy.log: cmath.log,
        sympy.sin: _periodic(cmath.sin, _float_bits),
        sympy.cos: _periodic(cmath.cos, _float_bits),
        sympy.tanh: cmath.tanh,
        sympy.Abs: lambda z: complex(abs(z)),
    },
    constants={sympy.E: lambda: cmath.e, sympy.pi: lambda: cmath.pi, sympy.I: lambda: 1j},
    bounded=lambda value: value,
)
WIDE = _Arithmetic(
    convert=mpmath.mpc,
    ratio=lambda p, q: mpmath.mpc(mpmath.mpf(p) / q),
    functions={
        sympy.exp: _wide_exp,
        sympy.log: mpmath.log,
        sympy.sin: _periodic(mpmath.sin, _mpmath_bits),
        sympy.cos: _periodic(mpmath.cos, _mpmath_bits),
        sympy.tanh: mpmath.tanh,
        sympy.Abs: lambda z: mpmath.mpc(abs(z)),
    },
    constants={
        sympy.E: lambda: mpmath.mpc(mpmath.e),
        sympy.pi: lambda: mpmath.mpc(mpmath.pi),
        sympy.I: lambda: mpmath.mpc(0, 1),
    },
    bounded=_within_range,
)


class Unevaluable(ValueError):
    """The expression cannot be evaluated at this point (or at all, with these rules)."""


@dataclass(frozen=True)
class Point:
    """Values for every name of a question."""

    values: dict[sympy.Symbol, complex]
    data: dict[str, tuple[complex, ...]]


def _signed(rng: random.Random) -> float:
    return rng.choice((-1.0, 1.0)) * rng.uniform(0.5, 2.0)


def sample_points(vocabulary: Vocabulary, count: int, rng: random.Random) -> list[Point]:
    """``count`` random points for the names of ``vocabulary``."""
    points = []
    for _ in range(count):
        n = rng.randint(2, 7)
        values: dict[sympy.Symbol, complex] = {}
        for symbol in vocabulary.scalars.values():
            values[symbol] = complex(n) if symbol == vocabulary.count else complex(_signed(rng))
        if vocabulary.index is not None:
            values[vocabulary.index] = complex(rng.randint(1, n))
        data = {name: tuple(complex(_signed(rng)) for _ in range(n)) for name in vocabulary.data}
        points.append(Point(values, data))
    return points


def evaluate(
    expr: sympy.Basic, point: Point, *, digits: int | None = None, deadline: float | None = None
) -> Any:
    """The value of ``expr`` at ``point``; Unevaluable if it is not a finite number there.

    Floats first; on overflow or underflow, mpmath numbers with a wider range (magnitudes
    up to 2**100000). With ``digits``: mpmath only, with that many digits. Past
    ``deadline`` (by default ``POINT_SECONDS`` from now) the point is Unevaluable.
    """
    deadline = time.monotonic() + POINT_SECONDS if deadline is None else deadline
    if digits is not None:
        with mpmath.workdps(digits):
            return _evaluate(expr, point, (WIDE,), deadline)
    return _evaluate(expr, point, (FLOATS, WIDE), deadline)


def _evaluate(
    expr: sympy.Basic, point: Point, kinds: tuple[_Arithmetic, ...], deadline: float
) -> Any:
    for arithmetic in kinds:
        try:
            value = _value(expr, point.values, point.data, arithmetic, deadline)
        except OverflowError:
            continue
        except (ArithmeticError, ValueError, KeyError, IndexError, TypeError) as error:
            raise Unevaluable(str(error)) from None
        if mpmath.isfinite(value):
            return value
    raise Unevaluable("too large or too small to evaluate")


def _nonzero(value: Any, *operands: Any) -> Any:
    """``value``, unless it is 0 from nonzero operands: an underflow (OverflowError)."""
    if value == 0 and all(operand != 0 for operand in operands):
        raise OverflowError("underflow")
    return value


def _value(expr: sympy.Basic, values: dict, data: dict, ops: _Arithmetic, deadline: float) -> Any:
    if time.monotonic() > deadline:
        raise Unevaluable("out of time")
    if expr.is_Rational:
        return ops.ratio(int(expr.p), int(expr.q))
    if expr.is_Float:
        return ops.convert(float(expr))
    if expr.is_Symbol:
        return ops.convert(values[expr])
    if expr.is_Add:
        total = ops.convert(0)
        for term in expr.args:
            total += _value(term, values, data, ops, deadline)
        return total
    if expr.is_Mul:
        factors = [_value(factor, values, data, ops, deadline) for factor in expr.args]
        product = ops.convert(1)
        for factor in factors:
            product *= factor
        return ops.bounded(_nonzero(product, *factors))
    if expr.is_Pow:
        base = _value(expr.base, values, data, ops, deadline)
        if expr.exp.is_Integer:
            exponent = int(expr.exp)
        else:
            exponent = _value(expr.exp, values, data, ops, deadline)
        if abs(exponent) > MAX_EXPONENT and abs(abs(base) - 1) > NEAR:
            raise OverflowError("the power is too large or too small to evaluate")
        return ops.bounded(_nonzero(base**exponent, base))
    if isinstance(expr, sympy.Indexed):
        position = int(_value(expr.indices[0], values, data, ops, deadline).real)
        if position < 1:
            raise IndexError("index below 1")
        return ops.convert(data[expr.base.label.name][position - 1])
    if isinstance(expr, sympy.Sum):
        return _sum(expr, values, data, ops, deadline)
    if expr.func in ops.functions and len(expr.args) == 1:
        result = ops.functions[expr.func](_value(expr.args[0], values, data, ops, deadline))
        return ops.bounded(_nonzero(result) if expr.func is sympy.exp else result)
    if expr in ops.constants:
        return ops.constants[expr]()
    raise Unevaluable(f"cannot evaluate {expr.func.__name__}")


def _sum(expr: sympy.Sum, values: dict, data: dict, ops: _Arithmetic, deadline: float) -> Any:
    (index, lower, upper), *rest = expr.limits
    if rest:
        raise Unevaluable("a sum over several indices")
    first = int(_value(lower, values, data, ops, deadline).real)
    last = int(_value(upper, values, data, ops, deadline).real)
    if last - first > 1000:
        raise Unevaluable("a sum of too many terms")
    inner = dict(values)
    total = ops.convert(0)
    for k in range(first, last + 1):
        inner[index] = complex(k)
        total += _value(expr.function, inner, data, ops, deadline)
    return total


def values_at(expr: sympy.Basic, points: Sequence[Point], deadline: float) -> list[Any]:
    """The value at each point, None where it cannot be evaluated or time is up."""
    found: list[complex | None] = []
    for point in points:
        if time.monotonic() > deadline:
            found.append(None)
            continue
        try:
            found.append(evaluate(expr, point, deadline=deadline))
        except Unevaluable:
            found.append(None)
    return found


@dataclass(frozen=True)
class Agreement:
    """How two lists of values compare.

    ``equal`` is True when they agree at every point where both exist, False when some
    point clearly differs, None when no point could be compared or a difference is so
    small that rounding might explain it. ``valid`` counts the points compared.
    """

    equal: bool | None
    valid: int

    @property
    def strong(self) -> bool:
        return self.equal is True and self.valid >= STRONG


def close(a: complex, b: complex, rtol: float, atol: float) -> bool:
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def agreement(
    first: Sequence[complex | None],
    second: Sequence[complex | None],
    rtol: float,
    atol: float,
) -> Agreement:
    """Compare two lists of values point by point (see ``Agreement``)."""
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]
    if not pairs:
        return Agreement(None, 0)
    if all(close(a, b, rtol, atol) for a, b in pairs):
        return Agreement(True, len(pairs))
    loose = max(rtol, NEAR)
    if all(close(a, b, loose, atol) for a, b in pairs):
        return Agreement(None, len(pairs))
    return Agreement(False, len(pairs))


def difference_confirmed(
    first: sympy.Basic,
    second: sympy.Basic,
    points: Sequence[Point],
    values: tuple[Sequence[Any], Sequence[Any]],
    rtol: float,
    atol: float,
) -> bool:
    """Whether the first point where the float ``values`` clearly differ still shows a
    difference when both are evaluated again with 30 and with 60 digits: each value must be
    the same at both precisions (so rounding cannot explain it) and the two must differ."""
    loose = max(rtol, NEAR)
    for point, a, b in zip(points, *values, strict=True):
        if a is None or b is None or close(a, b, loose, atol):
            continue
        try:
            low = [evaluate(e, point, digits=30) for e in (first, second)]
            high = [evaluate(e, point, digits=60) for e in (first, second)]
        except Unevaluable:
            return True
        stable = all(close(x, y, NEAR, atol) for x, y in zip(low, high, strict=True))
        return stable and not close(*high, rtol, atol)
    return False


def differs_beyond_rounding(
    first: sympy.Basic, second: sympy.Basic, points: Sequence[Point], deadline: float
) -> bool:
    """Whether ``first - second`` is nonzero at one of ``points``, computed with 50 and with
    80 digits: a difference that is the same at both precisions and far above their rounding
    (``PRECISE_SCALE`` of the values) is real, however small it is next to the values. Give
    expressions with exact numbers (no decimals) for this to mean anything."""
    for point in points:
        try:
            coarse = [evaluate(e, point, digits=50, deadline=deadline) for e in (first, second)]
            fine = [evaluate(e, point, digits=80, deadline=deadline) for e in (first, second)]
        except Unevaluable:
            continue
        rough, exact = coarse[0] - coarse[1], fine[0] - fine[1]
        scale = max(abs(fine[0]), abs(fine[1]))
        if abs(exact) > scale * PRECISE_SCALE and abs(rough - exact) <= abs(exact) * 1e-3:
            return True
    return False
