"""Assertions for hidden tests whose failure messages a student may read.

Each raises ``AssertionError`` with one line that names what is wrong (a type, a shape, a
named mistake) without printing the hidden inputs or the expected values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gradelab.sandbox.wire import Unsupported


def kind_of(value: Any) -> str:
    if isinstance(value, Unsupported):
        return f"an object of type {value.type_name}"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    return f"a {type(value).__name__}"


def as_numbers(value: Any, what: str) -> np.ndarray:
    """``value`` as a float array, or a failure saying it is not numbers."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} returned {kind_of(value)}, which is not numbers") from None
    return array


def expect_float_array(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """A float ndarray of exactly ``shape`` (shape given symbolically in the message)."""
    if not isinstance(value, np.ndarray):
        raise AssertionError(f"{what} returned {kind_of(value)}; expected a numpy array")
    if value.shape != shape:
        raise AssertionError(f"{what} returned shape {value.shape}; expected {shape}")
    if value.dtype.kind != "f":
        raise AssertionError(f"{what} returned dtype {value.dtype}; expected a float dtype")
    return value


def expect_pair_of_numbers(value: Any, what: str) -> tuple[float, float]:
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
    """``value`` equals ``expected`` within tolerance; if it matches a named mistake, say so."""
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
