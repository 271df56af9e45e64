"""Run a notebook cell the way IPython does and keep what it shows, in the sandbox.

Used when an assignment is graded as nbgrader grades it (no hidden suite): each cell's
printed text (stdout and stderr apart), the value of its last expression (as IPython's
display hook shows it) and the error it raised become its outputs, so the grader can
score test cells and show the student what Jupyter would have shown. Everything here runs
next to student code: it only produces data, bounded in size.
"""

from __future__ import annotations

import ast
import io
import sys
import traceback
from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.lib.pretty import pretty

CELL_CHARS = 20_000
TOTAL_CHARS = 2_000_000
TRACEBACK_LINES = 30
#: A cell's last value is kept whole up to this length, whatever the budget: nbgrader reads
#: a partial score from it (a longer text is no number either way).
RESULT_CHARS = 1_000
#: Outputs of one cell: a cell that switches between stdout and stderr more often than this
#: has shown both already, which is all its score depends on.
MAX_OUTPUTS = 100


class Budget:
    """Characters of output left for the whole notebook."""

    def __init__(self) -> None:
        self.left = TOTAL_CHARS

    def take(self, text: str, cell_left: int) -> str:
        kept = text[: max(0, min(self.left, cell_left))]
        self.left -= len(kept)
        return kept


class Stream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` during one cell: text goes to the cell's outputs,
    consecutive writes to one stream joined, as Jupyter joins them."""

    def __init__(self, name: str, shown: list[list[str]], budget: Budget) -> None:
        self.name = name
        self.shown = shown
        self.budget = budget

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        """Keep ``text`` within the budget; an output is recorded even when the budget is
        spent (an empty write shows nothing, as in Jupyter)."""
        text = str(text)
        if not text:
            return 0
        used = sum(len(item[-1]) for item in self.shown)
        kept = self.budget.take(text, CELL_CHARS - used)
        if self.shown and self.shown[-1][0] == self.name:
            self.shown[-1][1] += kept
        elif len(self.shown) < MAX_OUTPUTS:
            self.shown.append([self.name, kept])
        return len(text)


def run_cell(
    source: str, name: str, namespace: dict[str, Any], shown: list, budget: Budget
) -> None:
    """Execute ``source`` in ``namespace``; append its outputs to ``shown``. The value of a
    last expression is shown unless it is None or the cell ends with a semicolon. What the
    cell raises propagates, its outputs so far kept."""
    filename = f"<cell {name}>"
    tree = ast.parse(source, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Stream("stdout", shown, budget), Stream("stderr", shown, budget)
    try:
        exec(compile(tree, filename, "exec"), namespace)
        if last is None:
            return
        value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
        if value is not None and not DisplayHook.semicolon_at_end_of_expression(source):
            namespace["_"] = value
            shown.append(["result", pretty(value)[:RESULT_CHARS]])
    finally:
        sys.stdout, sys.stderr = saved


def error_output(error: BaseException, budget: Budget) -> list[str]:
    """``["error", type, message, traceback]``: the traceback lists the cells' lines only."""
    lines = [
        f"cell '{frame.filename[len('<cell ') : -1]}', line {frame.lineno}"
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith("<cell ")
    ][-TRACEBACK_LINES:]
    try:
        message = str(error)
    except Exception:  # noqa: BLE001 - a student's exception may fail to print itself
        message = ""
    message = budget.take(message, CELL_CHARS)
    return ["error", type(error).__name__[:100], message, "\n".join(lines)]
