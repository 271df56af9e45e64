"""The bounds every answer is checked against before any algebra or evaluation runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what a typed answer may ask of the checker."""

    length: int = 2000
    depth: int = 50
    integer_digits: int = 40
    float_digits: int = 17
    number_chars: int = 40
    decimal_scale: int = 300
    exponent: int = 10000
    nodes: int = 1000
    tree: int = 5000
    number_digits: int = 1000
    root_digits: int = 100


DEFAULT_LIMITS = Limits()
