"""Remember verdicts: the same answer to the same question is judged once per process.

Many students give the same answer (most correct answers print alike), and a hidden suite
may judge one answer in several tests. A verdict depends only on the arguments (points
and tie-breaks are seeded), so a cached one is what judging again would give, at once.
"""

from __future__ import annotations

import copy
import functools
import inspect
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import sympy

Result = TypeVar("Result")
MAX_ENTRIES = 4096


def frozen(value: Any) -> Any:
    """A hashable stand-in for ``value`` (TypeError when it has none)."""
    if isinstance(value, Mapping):
        return ("mapping", tuple(sorted((str(k), frozen(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(frozen(v) for v in value))
    if isinstance(value, sympy.MatrixBase):
        return sympy.ImmutableMatrix(value)
    hash(value)
    return (type(value).__name__, value)


def remembered(function: Callable[..., Result]) -> Callable[..., Result]:
    """``function``, with its last ``MAX_ENTRIES`` results kept by their arguments."""
    signature = inspect.signature(function)
    results: OrderedDict[Any, Result] = OrderedDict()

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Result:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        try:
            key = frozen(tuple(bound.arguments.items()))
        except TypeError:
            return function(*args, **kwargs)
        if key in results:
            results.move_to_end(key)
        else:
            results[key] = function(*args, **kwargs)
            if len(results) > MAX_ENTRIES:
                results.popitem(last=False)
        return copy.deepcopy(results[key])

    return wrapper
