"""CSV files a spreadsheet opens safely: every cell quoted as needed, and no cell that a
spreadsheet would run as a formula (``=cmd|...``, ``+``, ``-``, ``@``, a tab or a return
first): such a cell gets a leading apostrophe, which spreadsheets show as text."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> str:
    """``value`` as text a spreadsheet shows as it is; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> int:
    """Write a CSV file of safe cells; return the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, quoting=csv.QUOTE_MINIMAL)
        writer.writerow([safe_cell(name) for name in header])
        for row in rows:
            writer.writerow([safe_cell(value) for value in row])
            count += 1
    return count
