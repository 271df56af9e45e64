"""The similarity report: one HTML page, the closest pairs of submissions side by side.

At the top: what was compared, how many pairs reach the flag threshold, how the scores of
all pairs spread, the closest pairs in a table and the submissions that were not compared,
with the reason. Then each pair shown: for every part, student A's code beside student B's,
the matching runs marked. Everything a student wrote is escaped, the page goes through the
feedback page's sanitizer, and its Content-Security-Policy forbids scripts and any fetch.
"""

from __future__ import annotations

import html
import math

from gradelab.feedback.page import html_document
from gradelab.similarity.answers import MAX_CELL_CHARS
from gradelab.similarity.comparison import Comparison
from gradelab.similarity.fingerprints import NOISE_CHARS
from gradelab.similarity.pairs import Pair
from gradelab.text.markup import escaped

BANDS = 10
STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
main { max-width: 90rem; margin: 0 auto; padding: 1.5rem; }
header, section.pair { background: #fff; border: 1px solid #dde1e8; border-radius: 6px;
  padding: 0.8rem 1rem; margin: 0 0 0.8rem; }
h1 { font-size: 1.4rem; margin: 0 0 0.4rem; }
h2 { font-size: 1.15rem; margin: 0.8rem 0 0.4rem; }
h3 { font-size: 0.95rem; margin: 0.8rem 0 0.3rem; color: #3b4252; }
table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #e5e7eb; padding: 0.3rem 0.6rem; text-align: left;
  vertical-align: top; }
td.number, th.number { text-align: right; }
table.side { width: 100%; table-layout: fixed; }
table.side td { width: 50%; padding: 0.2rem; border: 0; }
pre { background: #f3f4f6; padding: 0.6rem; border-radius: 4px; font-size: 0.85rem;
  margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
span.match { background: #ffe08a; }
.flag { color: #b3261e; font-weight: bold; }
.empty { color: #5b6474; font-style: italic; }
.note { color: #8a5a00; }
"""


def percent(value: float) -> str:
    """A share as a whole percentage, rounded down: 100% only for all of it, and a pair
    shown at the threshold's percentage reaches it."""
    return f"{math.floor(100 * value + 1e-9)}%"


def marked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` as HTML, the ``spans`` that match marked."""
    parts, at = [], 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if end <= start:
            continue
        parts.append(html.escape(text[at:start]))
        parts.append(f'<span class="match">{html.escape(text[start:end])}</span>')
        at = end
    parts.append(html.escape(text[at:]))
    return "".join(parts)


def pair_id(pair: Pair) -> str:
    return f"pair-{pair.first}-{pair.second}"


def side_html(comparison: Comparison, student: str, part: str, spans: list) -> str:
    text = comparison.answers[student].parts.get(part)
    if text is None:
        return '<td><pre class="empty">(no code here)</pre></td>'
    return f"<td><pre>{marked(text, spans)}</pre></td>"


def pair_html(comparison: Comparison, pair: Pair, rank: int, threshold: float) -> str:
    flag = ' <span class="flag">flagged</span>' if pair.score >= threshold else ""
    names = html.escape(pair.first), html.escape(pair.second)
    rows = [
        f'<section class="pair" id="{html.escape(pair_id(pair))}">',
        f"<h2>{rank}. {names[0]} and {names[1]}: {percent(pair.score)}{flag}</h2>",
        f"<p>{percent(pair.share(0))} of {names[0]}'s runs of code are in {names[1]}'s "
        f"submission, {percent(pair.share(1))} of {names[1]}'s in {names[0]}'s.</p>",
    ]
    for student in (pair.first, pair.second):
        for note in comparison.answers[student].notes:
            rows.append(f'<p class="note">{html.escape(student)}: {escaped(note, 300)}</p>')
    rows.append(f'<table class="side"><tr><th>{names[0]}</th><th>{names[1]}</th></tr></table>')
    for part in comparison.release.parts:
        if part not in pair.spans:
            continue
        first, second = pair.spans[part]
        rows.append(f"<h3>{escaped(part, 200)}</h3>")
        rows.append(
            '<table class="side"><tr>'
            + side_html(comparison, pair.first, part, first)
            + side_html(comparison, pair.second, part, second)
            + "</tr></table>"
        )
    rows.append("</section>")
    return "".join(rows)


def bands_html(comparison: Comparison) -> str:
    """How many pairs score in each tenth."""
    counts = [0] * BANDS
    for scored in comparison.ranked:
        counts[min(math.floor(scored.score * BANDS + 1e-9), BANDS - 1)] += 1
    cells = "".join(f'<td class="number">{count}</td>' for count in counts)
    heads = "".join(
        f'<th class="number">{percent(band / BANDS)}–{percent((band + 1) / BANDS)}</th>'
        for band in range(BANDS)
    )
    return f"<table><tr><th>score</th>{heads}</tr><tr><th>pairs</th>{cells}</tr></table>"


def summary_html(comparison: Comparison, pairs: list[Pair], threshold: float) -> str:
    rows = []
    for rank, pair in enumerate(pairs, start=1):
        flag = '<span class="flag">flagged</span>' if pair.score >= threshold else ""
        rows.append(
            f'<tr><td class="number">{rank}</td>'
            f'<td><a href="#{html.escape(pair_id(pair))}">{html.escape(pair.first)}</a></td>'
            f"<td>{html.escape(pair.second)}</td>"
            f'<td class="number">{percent(pair.score)}</td>'
            f'<td class="number">{percent(pair.share(0))}</td>'
            f'<td class="number">{percent(pair.share(1))}</td><td>{flag}</td></tr>'
        )
    head = (
        '<tr><th class="number">rank</th><th>student A</th><th>student B</th>'
        '<th class="number">score</th><th class="number">A matched</th>'
        '<th class="number">B matched</th><th></th></tr>'
    )
    left_out = comparison.flagged_beyond(threshold, len(pairs))
    more = (
        f'<p class="flag">{left_out} more flagged pairs are not shown: raise --pairs.</p>'
        if left_out > 0
        else ""
    )
    return f"<h2>The closest pairs</h2><table>{head}{''.join(rows)}</table>{more}"


def not_compared_html(comparison: Comparison) -> str:
    if not comparison.not_compared:
        return ""
    rows = "".join(
        f"<tr><td>{escaped(student, 80)}</td><td>{escaped(reason, 400)}</td></tr>"
        for student, reason in sorted(comparison.not_compared.items())
    )
    return f"<h2>Not compared</h2><table><tr><th>student</th><th>reason</th></tr>{rows}</table>"


def page(comparison: Comparison, pairs: list[Pair], threshold: float) -> str:
    """The report on ``comparison``, showing ``pairs`` (its closest), flagged from
    ``threshold`` (a fraction)."""
    assignment = html.escape(comparison.assignment)
    compared = len(comparison.answers)
    header = (
        f"<header><h1>{assignment}: similarity of answer code</h1>"
        f"<p>{compared} submissions compared, {len(comparison.not_compared)} not compared; "
        f"{len(comparison.ranked)} pairs, <strong>{comparison.flagged(threshold)} at or above "
        f"the flag threshold of {100 * threshold:g}%</strong>.</p>"
        "<p>The answer cells and the other code cells of each submission are compared with "
        "the other submission's, wherever its code lies. Code is tokenized first: names, "
        f"strings, comments and layout do not count. Every run of {NOISE_CHARS} characters of "
        "tokenized code is compared, except those of the code the release gives (its cells "
        "and public modules); a pair's score is the share of the runs of both submissions "
        "that the other one has too. Code the other submission has is marked. Each part is "
        f"compared up to {MAX_CELL_CHARS:,} characters. A high score is a reason to look, not "
        "proof.</p>"
        f"<h2>Scores of all pairs</h2>{bands_html(comparison)}"
        f"{summary_html(comparison, pairs, threshold)}{not_compared_html(comparison)}</header>"
    )
    sections = "".join(
        pair_html(comparison, pair, rank, threshold) for rank, pair in enumerate(pairs, start=1)
    )
    return html_document(f"{comparison.assignment}: similarity", header + sections, STYLE)
