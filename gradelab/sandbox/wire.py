"""The one serializer across the sandbox boundary.

Values travel as JSON. numpy arrays and numpy scalars travel as base64 bytes with a dtype
from a whitelist of plain numeric kinds, and are rebuilt with ``np.frombuffer``: nothing on
the trusted side ever unpickles, evaluates or imports what the sandbox sends. Anything else
(a student's own class, a function, a generator) becomes a marker naming its type, so a test
can say "returned a Foo, expected an array" instead of crashing.
"""

from __future__ import annotations

import base64
import json
import math
import sys
from typing import Any

import numpy as np

from gradelab.questions.printed import SympyText

MAX_DEPTH = 32
MAX_SYMPY_CHARS = 100_000
MAX_ITEMS = 1_000_000
ALLOWED_DTYPE_KINDS = frozenset("biufc")
NON_FINITE = frozenset({"nan", "inf", "-inf"})

_ndarray = np.ndarray
_generic = np.generic


class WireError(ValueError):
    """Data that cannot cross the boundary: too deep, too big, or malformed."""


class Unsupported:
    """Stands for a value the sandbox could not send as data, remembering its type name."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<unsupported value of type {self.type_name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unsupported) and other.type_name == self.type_name

    def __hash__(self) -> int:
        return hash(self.type_name)


def _encode_array(array: np.ndarray) -> dict[str, Any]:
    base = _ndarray.view(array, _ndarray)
    if base.dtype.kind not in ALLOWED_DTYPE_KINDS or base.dtype.hasobject:
        return {"__unsupported__": f"ndarray of dtype {base.dtype}"}
    if base.size > MAX_ITEMS:
        raise WireError(f"array of {base.size} elements is larger than {MAX_ITEMS}")
    contiguous = base.copy(order="C")
    return {
        "__ndarray__": base64.b64encode(contiguous.tobytes()).decode("ascii"),
        "dtype": contiguous.dtype.str,
        "shape": list(contiguous.shape),
        "subclass": type(array) is not _ndarray,
    }


def encode(value: Any, depth: int = 0) -> Any:
    """Turn a value into JSON-compatible data, marking what cannot cross as unsupported."""
    if depth > MAX_DEPTH:
        raise WireError(f"value is nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value if abs(value) < 2**63 else float(value)
    if kind is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, _ndarray):
        return _encode_array(value)
    if isinstance(value, _generic):
        return {"__scalar__": _encode_array(np.asarray(value))}
    if kind in (list, tuple):
        if len(value) > MAX_ITEMS:
            raise WireError(f"{kind.__name__} of {len(value)} items is larger than {MAX_ITEMS}")
        items = [encode(item, depth + 1) for item in value]
        return items if kind is list else {"__tuple__": items}
    if kind is dict and all(type(key) is str for key in value):
        return {"__dict__": {key: encode(item, depth + 1) for key, item in value.items()}}
    sympy = sys.modules.get("sympy")
    if sympy is not None and isinstance(value, sympy.Basic | sympy.MatrixBase):
        text = sympy.sstr(value)
        if len(text) > MAX_SYMPY_CHARS:
            raise WireError(
                f"expression of {len(text)} characters is longer than {MAX_SYMPY_CHARS}"
            )
        return {"__sympy__": text}
    return {"__unsupported__": kind.__name__}


def _decode_array(data: dict[str, Any]) -> np.ndarray:
    try:
        dtype = np.dtype(str(data["dtype"]))
        shape = tuple(int(n) for n in data["shape"])
        raw = base64.b64decode(data["__ndarray__"], validate=True)
    except (KeyError, TypeError, ValueError) as error:
        raise WireError(f"malformed array: {error}") from None
    if dtype.kind not in ALLOWED_DTYPE_KINDS or dtype.hasobject:
        raise WireError(f"dtype {dtype} is not allowed")
    if any(n < 0 for n in shape) or math.prod(shape) > MAX_ITEMS:
        raise WireError(f"array shape {shape} is not allowed")
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def decode(data: Any) -> Any:
    """Rebuild a value from JSON-compatible data; the inverse of ``encode``. Whatever
    ``data`` is, the result is a value of at most ``MAX_ITEMS`` parts or a ``WireError``."""
    budget = [MAX_ITEMS]
    try:
        return _decode(data, 0, budget)
    except WireError:
        raise
    except Exception as error:  # noqa: BLE001 - any other failure: the data is malformed
        raise WireError(f"malformed value ({type(error).__name__})") from None


def _decode(data: Any, depth: int, budget: list[int]) -> Any:
    if depth > MAX_DEPTH:
        raise WireError(f"value is nested deeper than {MAX_DEPTH} levels")
    budget[0] -= 1
    if budget[0] < 0:
        raise WireError(f"value has more than {MAX_ITEMS} parts")
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [_decode(item, depth + 1, budget) for item in data]
    if isinstance(data, dict) and "__ndarray__" in data:
        array = _decode_array(data)
        budget[0] -= array.size
        if budget[0] < 0:
            raise WireError(f"value has more than {MAX_ITEMS} parts")
        return array
    if not isinstance(data, dict) or len(data) != 1:
        raise WireError("malformed value")
    (tag, inner), *_ = data.items()
    if tag == "__tuple__" and isinstance(inner, list):
        return tuple(_decode(item, depth + 1, budget) for item in inner)
    if tag == "__dict__" and isinstance(inner, dict):
        return {str(key): _decode(item, depth + 1, budget) for key, item in inner.items()}
    if tag == "__scalar__" and isinstance(inner, dict):
        return _decode_array(inner)[()]
    if tag == "__float__" and inner in NON_FINITE:
        return float(inner)
    if tag == "__sympy__" and isinstance(inner, str):
        return SympyText(inner)
    if tag == "__unsupported__" and isinstance(inner, str):
        return Unsupported(inner[:100])
    raise WireError("malformed value")


def dumps(message: dict[str, Any]) -> bytes:
    """One protocol message as a line of JSON."""
    return json.dumps(message, allow_nan=False, separators=(",", ":")).encode() + b"\n"


def loads(line: bytes) -> dict[str, Any]:
    """Parse one protocol line; anything but a JSON object is a ``WireError``."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise WireError(f"unreadable message: {error}") from None
    if not isinstance(message, dict):
        raise WireError("a message must be a JSON object")
    return message
