"""Score distributions as bar charts, inline SVG drawn by matplotlib: axes, tick labels, and
the count on each bar.

The bars follow the points: when every score is a whole number of points (or of halves,
quarters, fifths, tenths), one bar per possible score, from 0 to the maximum; otherwise a
few equal ranges of a round width.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Steps of a score, tried from the coarsest: the finest that fits gives one bar per score.
STEPS = (1.0, 0.5, 0.25, 0.2, 0.1)
#: Most bars a chart has.
MAX_BARS = 26
#: Range widths are one of these times a power of ten.
ROUND_WIDTHS = (1.0, 2.0, 2.5, 5.0)
ON_GRID = 1e-6
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')
_ID = re.compile(r' id="([^"]+)"')


@dataclass(frozen=True)
class Bin:
    """Scores from ``low`` to ``high`` (one score when they are equal; else ``high`` is left
    out, but for the last bin), and how many there are."""

    low: float
    high: float
    count: int

    @property
    def label(self) -> str:
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}\u2013{self.high:g}"


def _on_grid(value: float, origin: float, step: float) -> bool:
    units = (value - origin) / step
    return abs(units - round(units)) < ON_GRID


def _round_width(at_least: float) -> float:
    power = 10.0 ** math.floor(math.log10(at_least))
    return next(w * power for w in (*ROUND_WIDTHS, 10.0) if w * power >= at_least - 1e-12)


def score_bins(scores: Sequence[float], maximum: float) -> list[Bin]:
    """The bars of a chart of ``scores`` out of ``maximum`` (see the module's docstring)."""
    finite = [float(s) for s in scores if math.isfinite(s)]
    low = min([0.0, *finite])
    high = max([float(maximum) if math.isfinite(maximum) else 0.0, *finite])
    for step in STEPS:
        bars = round((high - low) / step) + 1
        if bars <= MAX_BARS and all(_on_grid(v, low, step) for v in (high, *finite)):
            counts = [0] * bars
            for score in finite:
                counts[round((score - low) / step)] += 1
            return [Bin(low + k * step, low + k * step, n) for k, n in enumerate(counts)]
    width = _round_width((high - low) / MAX_BARS)
    bars = max(1, math.ceil((high - low) / width - ON_GRID))
    counts = [0] * bars
    for score in finite:
        counts[min(int((score - low) / width + ON_GRID), bars - 1)] += 1
    return [Bin(low + k * width, low + (k + 1) * width, n) for k, n in enumerate(counts)]


def bar_chart_svg(bins: Sequence[Bin], xlabel: str, size: tuple[float, float], name: str) -> str:
    """An ``<svg>`` element: one bar per bin, labelled under it, its count on top. ``name``
    (letters, digits, dashes) prefixes its ids, which must differ between charts of a page."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise ValueError(f"a chart's name is letters, digits and dashes, not {name!r}")
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    settings = {"svg.fonttype": "none", "svg.hashsalt": "gradelab-report", "font.size": 9}
    with rc_context(settings):
        figure = Figure(figsize=size, dpi=72, layout="constrained")
        axes = figure.add_subplot()
        positions = range(len(bins))
        counts = [b.count for b in bins]
        bars = axes.bar(positions, counts, width=0.8, color="#4a7ab5")
        axes.bar_label(bars, labels=[str(n) if n else "" for n in counts], padding=2)
        axes.set_xticks(list(positions), [b.label for b in bins])
        if any(len(b.label) > 3 for b in bins) and len(bins) > 8:
            axes.tick_params(axis="x", labelrotation=45)
        axes.set_xlim(-0.6, len(bins) - 0.4)
        axes.set_ylim(0, max(counts, default=0) * 1.18 + 1)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(xlabel)
        axes.set_ylabel("submissions")
        axes.spines[["top", "right"]].set_visible(False)
        buffer = io.StringIO()
        metadata = {"Date": None, "Creator": None, "Format": None, "Type": None}
        figure.savefig(buffer, format="svg", metadata=metadata)
    text = buffer.getvalue()
    return own_ids(text[text.index("<svg") :].strip(), f"{name}-")


def own_ids(svg: str, prefix: str) -> str:
    """``svg`` with the ids its parts refer to given ``prefix``, and the others left out: a
    page may hold many charts, and ids must differ between them."""
    referenced = {match.group(2) for match in _REFERENCE.finditer(svg)}
    svg = _ID.sub(lambda m: f' id="{prefix}{m.group(1)}"' if m.group(1) in referenced else "", svg)
    return _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)
