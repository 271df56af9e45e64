"""What a question may assume about its variables: ``positive``, ``nonzero``, ``integer``.

Without assumptions a variable is any real number, and two answers are compared where both
are real and defined. An assumption narrows where they are compared (the sample points) and
what the exact step may use (sympy symbols with the same assumptions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy

KINDS = ("positive", "nonzero", "integer")


@dataclass(frozen=True)
class Assumptions:
    """The variables declared positive, nonzero or integer (names as the question writes
    them)."""

    positive: frozenset[str] = frozenset()
    nonzero: frozenset[str] = frozenset()
    integer: frozenset[str] = frozenset()

    @classmethod
    def of(cls, spec: Assumptions | Mapping[str, Iterable[str]] | None) -> Assumptions:
        """Assumptions from ``{"positive": ["x"], "integer": ["n"]}``; ValueError for an
        unknown kind."""
        if spec is None:
            return cls()
        if isinstance(spec, Assumptions):
            return spec
        unknown = set(spec) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown assumption(s) {sorted(unknown)}; use {', '.join(KINDS)}")
        return cls(**{kind: frozenset(str(n) for n in spec.get(kind, ())) for kind in KINDS})

    @property
    def names(self) -> frozenset[str]:
        return self.positive | self.nonzero | self.integer

    def check_names(self, allowed: Iterable[str]) -> None:
        """ValueError when an assumption names something that is not a scalar variable."""
        missing = sorted(self.names - set(allowed))
        if missing:
            raise ValueError(f"assumptions name {', '.join(missing)}, not a variable here")

    def symbol(self, symbol: sympy.Symbol) -> sympy.Symbol:
        """The sympy symbol with this question's assumptions on it (or ``symbol`` itself)."""
        name = symbol.name
        if name not in self.names:
            return symbol
        facts = {"real": True}
        if name in self.positive:
            facts["positive"] = True
        if name in self.nonzero:
            facts["nonzero"] = True
        if name in self.integer:
            facts["integer"] = True
        return sympy.Symbol(name, **facts)

    def applied(self, expr: sympy.Basic) -> sympy.Basic:
        """``expr`` over symbols that carry the assumptions, for the exact step."""
        if not self.names:
            return expr
        swap = {s: self.symbol(s) for s in expr.free_symbols if isinstance(s, sympy.Symbol)}
        return expr.xreplace(swap)
