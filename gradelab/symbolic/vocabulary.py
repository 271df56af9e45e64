"""The names a question lets students use: scalar variables, data vectors such as ``x_i``
(element i of the data vector x), the count ``n``, functions and constants."""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sympy

#: Each function students may call, with the number of arguments it takes (least, most).
ARITY = {
    **dict.fromkeys(
        ("exp", "ln", "sqrt", "abs", "Abs", "sign", "floor", "ceiling", "sigmoid"), (1, 1)
    ),
    **dict.fromkeys(("sin", "cos", "tan", "cot", "sec", "csc"), (1, 1)),
    **dict.fromkeys(("asin", "acos", "atan", "acot", "asec", "acsc"), (1, 1)),
    **dict.fromkeys(("sinh", "cosh", "tanh"), (1, 1)),
    "log": (1, 2),
    "min": (2, 20),
    "max": (2, 20),
}
FUNCTIONS = tuple(ARITY)
SUMS = ("sum", "Sum")
MATRIX = "Matrix"
CONSTANTS = {"e": sympy.E, "E": sympy.E, "%e": sympy.E, "pi": sympy.pi, "%pi": sympy.pi}
COUNT = "n"
RESERVED = (*FUNCTIONS, *SUMS, MATRIX, "E", "pi")

_SCALAR = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
DATA_NAME = re.compile(r"([A-Za-z][A-Za-z0-9]*)_([A-Za-z][A-Za-z0-9]*)\Z")


def scalar_symbol(name: str) -> sympy.Symbol:
    """The symbol of a real scalar variable (the same object for the same name)."""
    return sympy.Symbol(name, real=True)


def integer_symbol(name: str) -> sympy.Symbol:
    """The symbol of the count n or of the index i: a positive integer."""
    return sympy.Symbol(name, integer=True, positive=True)


@dataclass(frozen=True)
class Vocabulary:
    """Every name one question accepts, bound to the sympy object it stands for."""

    scalars: dict[str, sympy.Symbol]
    data: dict[str, sympy.IndexedBase]
    index: sympy.Symbol | None
    names: tuple[str, ...]
    open: bool = False

    @property
    def count(self) -> sympy.Symbol | None:
        """The number of data points, when the question has data."""
        return self.scalars.get(COUNT) if self.data else None

    def element(self, base: str) -> sympy.Indexed:
        """Element i of the data vector ``base``."""
        return self.data[base][self.index]

    def listing(self) -> str:
        return ", ".join(self.names) if self.names else "no variables"

    def name_of(self, item: sympy.Basic) -> str:
        """How a student writes ``item``: ``x_i`` for x[i], the name for a symbol."""
        if isinstance(item, sympy.Indexed):
            return f"{item.base}_{item.indices[0]}"
        return str(item)

    def used_in(self, expr: sympy.Basic) -> tuple[str, ...]:
        """The names of this question that ``expr`` depends on, in the question's order."""
        found = {self.name_of(s) for s in expr.free_symbols if not isinstance(s, sympy.IndexedBase)}
        return tuple(name for name in self.names if name in found)


def declared(variables: Iterable[str]) -> Vocabulary:
    """The vocabulary of a question's variable list such as ``["w", "b", "n", "x_i"]``.

    Raises ValueError for a list that cannot work (a keyword, a function name, two indices).
    """
    scalars: dict[str, sympy.Symbol] = {}
    data: dict[str, sympy.IndexedBase] = {}
    names: list[str] = []
    index_name: str | None = None
    for raw in variables:
        name = raw.strip()
        data_match = DATA_NAME.match(name)
        if keyword.iskeyword(name) or name in RESERVED or "__" in name:
            raise ValueError(f"'{name}' cannot be a variable name: it is a reserved word")
        if data_match:
            base, index = data_match.groups()
            if index_name not in (None, index):
                raise ValueError(f"data vectors must share one index; got {index_name} and {index}")
            index_name = index
            data[base] = sympy.IndexedBase(base, real=True)
        elif _SCALAR.match(name):
            scalars[name] = scalar_symbol(name)
        else:
            raise ValueError(f"'{name}' is not a variable name such as w, lr or x_i")
        if name not in names:
            names.append(name)
    if index_name is not None:
        if index_name in scalars:
            raise ValueError(f"'{index_name}' is the index of the data; it cannot be a variable")
        if COUNT not in names:
            names.insert(len(scalars), COUNT)
        scalars[COUNT] = integer_symbol(COUNT)
        index = integer_symbol(index_name)
    else:
        index = None
    return Vocabulary(scalars, data, index, tuple(names))


def discovered(words: Sequence[tuple[str, str | None]]) -> Vocabulary:
    """The vocabulary of a question without a variable list, from the names in the answer.

    ``words`` holds (name, index) for each name, index being what follows it in ``x[i]``.
    Single letters other than e become scalars, ``x_i`` and ``x[i]`` data vectors (with the
    first index seen). Longer names are left out, so that reading them fails with a message.
    """
    names: list[str] = []
    for word, index in words:
        name = word if index is None else f"{word}_{index}"
        if name in names or name in RESERVED or name in CONSTANTS:
            continue
        if len(name) == 1 or DATA_NAME.match(name):
            names.append(name)
    indices = [match.group(2) for match in map(DATA_NAME.match, names) if match]
    index = indices[0] if indices else None
    kept = [
        name
        for name in names
        if name != index and (not DATA_NAME.match(name) or DATA_NAME.match(name).group(2) == index)
    ]
    return dataclasses.replace(declared(kept), open=True)
