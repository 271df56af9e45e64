"""Comparing expressions at random points, by walking the sympy tree with complex numbers.

No code is generated or compiled: each node type the parser can build has its own rule, and
anything else makes the point unusable. A point fixes every scalar (signed values of size
0.5 to 2), the count n (2 to 7), the data vectors x_1..x_n and a value for a free index i.
"""

from __future__ import annotations

import cmath
import dataclasses
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

from gradelab.symbolic.assumptions import Assumptions
from gradelab.symbolic.vocabulary import Vocabulary

NO_ASSUMPTIONS = Assumptions()

STRONG = 4
NEAR = 1e-5
WIDE_MAGNITUDE = 100_000
#: Powers whose exponent is larger at a point than this overflow or underflow both kinds of
#: numbers (unless the base is about 1); they are not computed.
MAX_EXPONENT = 100_000
POINT_SECONDS = 0.5
#: With 80 digits, values that are equal differ by less than this fraction of their size.
PRECISE_SCALE = 1e-40
#: A value is real when its imaginary part is below this fraction of its size (rounding).
REAL_NOISE = 1e-9


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


def _real(z: Any) -> Any:
    """The real part of ``z``; ValueError when it is not a real number."""
    if abs(z.imag) > REAL_NOISE * max(abs(z), 1e-300):
        raise ValueError("defined for real numbers only")
    return z.real


def _sign(z: Any) -> Any:
    x = _real(z)
    return type(z)((x > 0) - (x < 0))


def _real_function(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A function of real numbers (floor, ceiling) applied to ``z`` as a real."""
    return lambda z: type(z)(function(_real(z)))


def _extremum(pick: Callable[..., Any]) -> Callable[..., Any]:
    return lambda *zs: type(zs[0])(pick(_real(z) for z in zs))


def _float_bits() -> int:
    return 40  # of a float's 53


def _mpmath_bits() -> int:
    return mpmath.mp.prec - 13


def _functions(
    exp: Callable[[Any], Any], lib: Any, bits: Callable[[], int]
) -> dict[type, Callable[..., Any]]:
    """The rule for each function the parser builds, with ``lib`` (cmath or mpmath)."""

    def periodic(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return _periodic(function, bits)

    def hyperbolic(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda z: function(z) if abs(z.real) <= WIDE_MAGNITUDE else exp(z)

    return {
        sympy.exp: exp,
        sympy.log: lib.log,
        sympy.sin: periodic(lib.sin),
        sympy.cos: periodic(lib.cos),
        sympy.tan: periodic(lib.tan),
        sympy.cot: periodic(lambda z: 1 / lib.tan(z)),
        sympy.sec: periodic(lambda z: 1 / lib.cos(z)),
        sympy.csc: periodic(lambda z: 1 / lib.sin(z)),
        sympy.asin: lib.asin,
        sympy.acos: lib.acos,
        sympy.atan: lib.atan,
        sympy.acot: lambda z: lib.atan(1 / z),
        sympy.asec: lambda z: lib.acos(1 / z),
        sympy.acsc: lambda z: lib.asin(1 / z),
        sympy.sinh: hyperbolic(lib.sinh),
        sympy.cosh: hyperbolic(lib.cosh),
        sympy.tanh: lib.tanh,
        sympy.Abs: lambda z: type(z)(abs(z)),
        sympy.sign: _sign,
        sympy.floor: _real_function(math.floor),
        sympy.ceiling: _real_function(math.ceil),
        sympy.Min: _extremum(min),
        sympy.Max: _extremum(max),
    }


FLOATS = _Arithmetic(
    convert=complex,
    ratio=lambda p, q: complex(p / q),
    functions=_functions(cmath.exp, cmath, _float_bits),
    constants={sympy.E: lambda: cmath.e, sympy.pi: lambda: cmath.pi, sympy.I: lambda: 1j},
    bounded=lambda value: value,
)
WIDE = _Arithmetic(
    convert=mpmath.mpc,
    ratio=lambda p, q: mpmath.mpc(mpmath.mpf(p) / q),
    functions=_functions(_wide_exp, mpmath, _mpmath_bits),
    constants={
        sympy.E: lambda: mpmath.mpc(mpmath.e),
        sympy.pi: lambda: mpmath.mpc(mpmath.pi),
        sympy.I: lambda: mpmath.mpc(0, 1),
    },
    bounded=_within_range,
)


def _real_only(arithmetic: _Arithmetic) -> _Arithmetic:
    """``arithmetic`` where every product, power and function value must be real: a point
    is on the real domain of an expression only if each part of it is real there."""

    def bounded(value: Any) -> Any:
        if value.imag and abs(value.imag) > REAL_NOISE * abs(value):
            raise ValueError("not a real number here")
        return arithmetic.bounded(value)

    return dataclasses.replace(arithmetic, bounded=bounded)


REAL_FLOATS, REAL_WIDE = _real_only(FLOATS), _real_only(WIDE)


class Unevaluable(ValueError):
    """The expression cannot be evaluated at this point (or at all, with these rules)."""


@dataclass(frozen=True)
class Point:
    """Values for every name of a question."""

    values: dict[sympy.Symbol, complex]
    data: dict[str, tuple[complex, ...]]


def _signed(rng: random.Random) -> float:
    return rng.choice((-1.0, 1.0)) * rng.uniform(0.5, 2.0)


def sample_points(
    vocabulary: Vocabulary,
    count: int,
    rng: random.Random,
    assumptions: Assumptions = NO_ASSUMPTIONS,
) -> list[Point]:
    """``count`` random points for the names of ``vocabulary``, within ``assumptions``."""
    points = []
    for _ in range(count):
        n = rng.randint(2, 7)
        values: dict[sympy.Symbol, complex] = {}
        for symbol in vocabulary.scalars.values():
            if symbol == vocabulary.count:
                values[symbol] = complex(n)
                continue
            value = _signed(rng)
            if symbol.name in assumptions.integer:
                value = float(round(2 * value))
            if symbol.name in assumptions.positive:
                value = abs(value)
            values[symbol] = complex(value)
        if vocabulary.index is not None:
            values[vocabulary.index] = complex(rng.randint(1, n))
        data = {name: tuple(complex(_signed(rng)) for _ in range(n)) for name in vocabulary.data}
        points.append(Point(values, data))
    return points


#: Values given to variables in exponents: integers, where a power of a negative number is
#: real, and halves, where a power of an even power is.
EXPONENTS = (-2.0, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)
MAX_GRID = 128


def exponent_grid(
    points: Sequence[Point], symbols: Iterable[sympy.Symbol], fixed: Iterable[sympy.Symbol]
) -> list[Point]:
    """Points where the variables of exponents (such as the n of (-1)^n, or b and c in
    (a^b)^c) take every combination of ``EXPONENTS`` (at most ``MAX_GRID`` of them), each
    with the other values of a point, and again with those negated (except ``fixed`` ones:
    counts and positive variables)."""
    chosen = sorted(symbols, key=sympy.default_sort_key)
    kept = set(fixed)
    grid = itertools.islice(itertools.product(EXPONENTS, repeat=len(chosen)), MAX_GRID)
    found = []
    for k, combination in enumerate(grid):
        point = points[k % len(points)]
        exponents = dict(zip(chosen, map(complex, combination), strict=True))
        for sign in (1, -1):
            values = {
                s: exponents.get(s, v if s in kept else sign * v) for s, v in point.values.items()
            }
            found.append(Point(values, point.data))
    return found


def positive(points: Sequence[Point]) -> list[Point]:
    """``points`` with every value made positive: where roots and logarithms are real."""
    return [
        Point(
            {s: complex(abs(v.real)) for s, v in p.values.items()},
            {name: tuple(complex(abs(v.real)) for v in vs) for name, vs in p.data.items()},
        )
        for p in points
    ]


def evaluate(
    expr: sympy.Basic,
    point: Point,
    *,
    digits: int | None = None,
    deadline: float | None = None,
    real: bool = False,
) -> Any:
    """The value of ``expr`` at ``point``; Unevaluable if it is not a finite number there
    (with ``real``, also if any part of it is not a real number there).

    Floats first; on overflow or underflow, mpmath numbers with a wider range (magnitudes
    up to 2**100000). With ``digits``: mpmath only, with that many digits. Past
    ``deadline`` (by default ``POINT_SECONDS`` from now) the point is Unevaluable.
    """
    deadline = time.monotonic() + POINT_SECONDS if deadline is None else deadline
    floats, wide = (REAL_FLOATS, REAL_WIDE) if real else (FLOATS, WIDE)
    if digits is not None:
        with mpmath.workdps(digits):
            return _evaluate(expr, point, (wide,), deadline)
    return _evaluate(expr, point, (floats, wide), deadline)


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
    if expr.func in ops.functions:
        arguments = [_value(arg, values, data, ops, deadline) for arg in expr.args]
        result = ops.functions[expr.func](*arguments)
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
    """The value at each point, None where it is not a real number or time is up."""
    found: list[complex | None] = []
    for point in points:
        if time.monotonic() > deadline:
            found.append(None)
            continue
        try:
            value = evaluate(expr, point, deadline=deadline, real=True)
        except Unevaluable:
            found.append(None)
            continue
        found.append(value if abs(value.imag) <= REAL_NOISE * abs(value) else None)
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
            low = [evaluate(e, point, digits=30, real=True) for e in (first, second)]
            high = [evaluate(e, point, digits=60, real=True) for e in (first, second)]
        except Unevaluable:
            return True
        stable = all(close(x, y, NEAR, atol) for x, y in zip(low, high, strict=True))
        return stable and not close(*high, rtol, atol)
    return False


def differs_beyond_rounding(
    first: sympy.Basic, second: sympy.Basic, points: Sequence[Point], deadline: float
) -> bool:
    """Whether ``first - second`` is nonzero at one of ``points`` where both are real,
    computed with 50 and with
    80 digits: a difference that is the same at both precisions and far above their rounding
    (``PRECISE_SCALE`` of the values) is real, however small it is next to the values. Give
    expressions with exact numbers (no decimals) for this to mean anything."""
    for point in points:
        try:
            coarse = [
                evaluate(e, point, digits=50, deadline=deadline, real=True) for e in (first, second)
            ]
            fine = [
                evaluate(e, point, digits=80, deadline=deadline, real=True) for e in (first, second)
            ]
        except Unevaluable:
            continue
        rough, exact = coarse[0] - coarse[1], fine[0] - fine[1]
        scale = max(abs(fine[0]), abs(fine[1]))
        if any(abs(v.imag) > REAL_NOISE * scale for v in fine):
            continue  # not on the real domain of both
        if abs(exact) > scale * PRECISE_SCALE and abs(rough - exact) <= abs(exact) * 1e-3:
            return True
    return False


def agrees_precisely(
    first: sympy.Basic, second: sympy.Basic, points: Sequence[Point], deadline: float
) -> Agreement:
    """Agreement of the two evaluated with 60 and with 120 digits, for values that floats
    cannot tell apart (a difference of nearly equal large numbers): equal at a point when
    the difference is below ``PRECISE_SCALE`` of the values at both precisions, different
    when it is the same at both precisions and above it. Non-real points are left out."""
    equal, valid = True, 0
    for point in points:
        try:
            coarse = [
                evaluate(e, point, digits=60, deadline=deadline, real=True) for e in (first, second)
            ]
            fine = [
                evaluate(e, point, digits=120, deadline=deadline, real=True)
                for e in (first, second)
            ]
        except Unevaluable:
            continue
        scale = max(abs(fine[0]), abs(fine[1]), 1e-300)
        if any(abs(v.imag) > REAL_NOISE * scale for v in fine):
            continue
        rough, exact = coarse[0] - coarse[1], fine[0] - fine[1]
        if abs(exact) > scale * PRECISE_SCALE:
            if abs(rough - exact) <= abs(exact) * 1e-3:
                return Agreement(False, valid + 1)
            equal = None
        valid += 1
    return Agreement(equal if valid else None, valid)
