"""Exact equality with sympy, bounded in time.

Sums are first split into a normal form (``sum(c*f(i) + g(i), i)`` becomes
``c*sum(f(i), i) + sum(g(i), i)``), so that split, merged and reordered sums compare equal.
Small polynomial differences are then cancelled in this process. Anything else (functions,
large powers) runs in a forked child process that is killed when its time is up, so an
expansion that would take minutes costs at most ``time_limit`` seconds.
"""

from __future__ import annotations

import contextlib
import math
import os
import resource
import select
import signal
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import sympy

T = TypeVar("T")
SMALL = 200
CONSTANT_DIGITS = 5000
SMALL_DEGREE = 50
_CHILD_MEMORY = 2 << 30
_VERDICTS = {b"1": True, b"0": False, b"?": None}


def sum_normal_form(expr: sympy.Basic) -> sympy.Basic:
    """Every ``Sum`` split into constant factors times sums of single data terms."""
    return expr.replace(lambda node: isinstance(node, sympy.Sum), _split_sum)


def _split_sum(total: sympy.Sum) -> sympy.Expr:
    (index, lower, upper), *rest = total.limits
    if rest:
        return total
    terms = []
    for term in sympy.Add.make_args(sympy.expand(total.function)):
        constant, varying = term.as_independent(index, as_Add=False)
        if varying == 1:
            terms.append(constant * (upper - lower + 1))
        else:
            terms.append(constant * sympy.Sum(varying, (index, lower, upper)))
    return sympy.Add(*terms)


def expansion_bound(expr: sympy.Basic, cap: int = SMALL) -> int:
    """An upper bound on the terms of ``expr`` fully expanded, or more than ``cap`` when
    it is larger, of a degree over ``SMALL_DEGREE``, or not a polynomial in its symbols,
    data and sums. Only expressions within it are compared in this process."""
    if expr.is_Atom or isinstance(expr, sympy.Indexed):
        return 1
    if isinstance(expr, sympy.Sum):
        return expansion_bound(expr.function, cap)
    if expr.is_Add or expr.is_Mul:
        total = 0 if expr.is_Add else 1
        for arg in expr.args:
            part = expansion_bound(arg, cap)
            total = total + part if expr.is_Add else total * part
            if total > cap:
                return cap + 1
        return total
    if expr.is_Pow and expr.exp.is_Integer:
        if abs(int(expr.exp)) > SMALL_DEGREE:  # even x^5000 alone makes cancel crawl
            return cap + 1
        base = expansion_bound(expr.base, cap)
        if base == 1:
            return 1
        if abs(int(expr.exp)) * math.log(base) > math.log(cap):
            return cap + 1
        return base ** abs(int(expr.exp))
    return cap + 1


def _is_zero(expr: sympy.Basic) -> bool | None:
    """True if ``expr`` is 0, False if it is a nonzero number (a constant such as
    tanh(1000) - 1 included, told apart from 0 with as many digits as it takes), None
    otherwise."""
    if expr == 0 or (expr.is_Number and expr.is_zero):
        return True
    if expr.is_Number:
        return False
    if getattr(expr, "is_number", False):
        try:
            value = sympy.N(expr, 30, maxn=CONSTANT_DIGITS, strict=True)
        except (sympy.core.evalf.PrecisionExhausted, ValueError, TypeError, ArithmeticError):
            return None
        return None if value == 0 else False
    return None


def _combined(difference: sympy.Expr) -> list[sympy.Expr]:
    """``difference`` as [its terms outside sums, the body of one sum of the rest]: each
    ``c*sum(f(i), i)`` adds ``c*f(i)`` to the body. Empty if that does not apply."""
    rest, body, limits = [], [], None
    for term in sympy.Add.make_args(sympy.expand_mul(difference, deep=False)):
        constant, total = term.as_independent(sympy.Sum, as_Add=False)
        if not isinstance(total, sympy.Sum):
            rest.append(term)
            continue
        if limits not in (None, total.limits) or constant.has(total.limits[0][0]):
            return []
        limits = total.limits
        body.append(constant * total.function)
    return [sympy.Add(*rest), sympy.Add(*body)] if limits is not None else []


def decide(first: sympy.Expr, second: sympy.Expr) -> bool | None:
    """True if the two are equal, False if their difference is a nonzero number, None if
    sympy cannot tell. May take long: call it through ``equal_exactly``."""
    split = sum_normal_form(first) - sum_normal_form(second)
    if _is_zero(split):
        return True
    for simplify in (sympy.cancel, sympy.simplify):
        for difference in (split, first - second):
            parts = _combined(difference)
            if parts and all(_is_zero(simplify(part)) for part in parts):
                return True
            verdict = _is_zero(simplify(difference))
            if verdict is not None:
                return verdict
    return None


def _decide_small(first: sympy.Expr, second: sympy.Expr) -> bool | None:
    difference = sympy.cancel(sum_normal_form(first) - sum_normal_form(second))
    return _is_zero(difference)


def exact_numbers(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` with each decimal (a sympy Float, as typed: 0.1) made the exact rational it
    stands for (1/10), so that equality is decided on exact numbers, not rounded ones."""
    return expr.xreplace({f: sympy.Rational(str(f)) for f in expr.atoms(sympy.Float)})


def equal_exactly(
    pairs: Sequence[tuple[sympy.Expr, sympy.Expr]], time_limit: float
) -> list[bool | None]:
    """``decide`` for each pair, all within ``time_limit`` seconds; None where time ran out.
    Decimals are compared as the exact numbers they stand for."""
    pairs = [(exact_numbers(first), exact_numbers(second)) for first, second in pairs]
    verdicts: list[bool | None] = [None] * len(pairs)
    slow = []
    for k, (first, second) in enumerate(pairs):
        if first == second:
            verdicts[k] = True
        elif expansion_bound(first) + expansion_bound(second) <= SMALL:
            verdicts[k] = _decide_small(first, second)
        if verdicts[k] is None:
            slow.append(k)
    if slow and time_limit > 0 and hasattr(os, "fork"):
        found = _in_child([pairs[k] for k in slow], time_limit)
        for k, verdict in zip(slow, found, strict=True):
            verdicts[k] = verdict
    return verdicts


def _in_child(pairs: list[tuple[sympy.Expr, sympy.Expr]], time_limit: float) -> list[bool | None]:
    return in_child(lambda pair: decide(*pair), pairs, time_limit)


def in_child(
    work: Callable[[T], bool | None], items: Sequence[T], time_limit: float
) -> list[bool | None]:
    """``work`` on each item in a forked child with bounded memory and CPU, killed after
    ``time_limit`` seconds; None for each item it did not finish. It reports one byte per
    item."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        _child(work, items, writer, time_limit)
    os.close(writer)
    received = b""
    deadline = time.monotonic() + time_limit
    try:
        while len(received) < len(items):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([reader], [], [], remaining)[0]:
                break
            chunk = os.read(reader, len(items))
            if not chunk:
                break
            received += chunk
    finally:
        os.close(reader)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    verdicts = [_VERDICTS.get(received[k : k + 1]) for k in range(len(received))]
    return verdicts + [None] * (len(items) - len(verdicts))


def _child(
    work: Callable[[T], bool | None], items: Sequence[T], writer: int, time_limit: float
) -> None:
    """The forked child: bounded memory and CPU, one byte per verdict, then exit."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        with contextlib.suppress(OSError, ValueError):
            with open("/proc/self/statm") as statm:
                size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            _lower_limit(resource.RLIMIT_AS, size + _CHILD_MEMORY)
        _lower_limit(resource.RLIMIT_CPU, math.ceil(time_limit) + 1)
        for item in items:
            verdict = work(item)
            os.write(writer, b"?" if verdict is None else b"1" if verdict else b"0")
    finally:
        os._exit(0)


def _lower_limit(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if soft == resource.RLIM_INFINITY or soft > value:
        ceiling = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (ceiling, hard))
