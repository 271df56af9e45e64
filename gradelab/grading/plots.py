"""Pictures for feedback: a student's curve drawn against the reference's, as a PNG.

Drawn in the grader's process from data the sandbox returned; the PNG goes into the test
cell's outputs, so nbgrader's feedback HTML shows it next to the messages.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MAX_POINTS = 10_000


@dataclass(frozen=True)
class Plot:
    cell: str
    title: str
    png_base64: str


def line_chart(
    title: str,
    curves: Mapping[str, Sequence[float] | np.ndarray],
    *,
    xlabel: str = "step",
    ylabel: str = "cost",
    log_y: bool = False,
    level: float | None = None,
) -> str:
    """A line chart of ``curves`` (label -> values), base64 PNG; ``level`` is a dashed line."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6, 3.5), dpi=90)
    try:
        for label, values in curves.items():
            data = np.asarray(values, dtype=float).ravel()[:MAX_POINTS]
            axes.plot(np.arange(data.size), np.where(np.isfinite(data), data, np.nan), label=label)
        if level is not None:
            axes.axhline(level, linestyle="--", color="gray", label=f"{level:g}")
        if log_y:
            axes.set_yscale("log")
        axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
        axes.legend()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        pyplot.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
