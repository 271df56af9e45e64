"""The report's response analysis section: per quiz question, a table of the distinct answers
students typed, most frequent first, and how to name one as a mistake."""

from __future__ import annotations

import shlex

from gradelab.report.page import anchor, e, table
from gradelab.report.responses import QuestionResponses, Response

#: Rows shown per question.
TOP_RESPONSES = 15


def response_row(response: Response, points: float, numbered: bool) -> list[str]:
    row = [
        f"<td><code>{e(response.typed)}</code></td>",
        f'<td class="n">{response.count}</td>',
        f'<td class="n">{response.fraction * points:.3g} / {points:g}</td>',
        f"<td>{e(response.told) if response.told else '—'}</td>",
    ]
    if numbered:
        row.append(f"<td>{e(response.numbers)}</td>")
    return row


def question_table(found: QuestionResponses, assignment: str) -> str:
    question = found.question
    numbered = bool(question.params)
    head = ["answer typed", "students", "score", "what they were told"]
    head = [f"<th>{h}</th>" for h in head + (["for the numbers"] if numbered else [])]
    shown = found.responses[:TOP_RESPONSES]
    rows = [response_row(r, question.points, numbered) for r in shown]
    more = len(found.responses) - len(shown)
    extra = f'<p class="muted">and {more} more distinct answers.</p>' if more > 0 else ""
    example = next((r for r in shown if r.fraction < 1 and r.told), None)
    hint = ""
    if example is not None and question.kind != "choice":
        names = ", ".join(p.name for p in question.params)
        answer = f"'<the answer in {names}>'" if numbered else shlex.quote(example.typed)
        command = (
            f"gradelab mistake add {shlex.quote(assignment)} {question.id} {answer} "
            "--feedback '...' --score 0.5"
        )
        hint = (
            '<p class="how">To name a common wrong answer (in terms of the parameters when the '
            f"numbers differ): <code>{e(command)}</code>, then "
            f"<code>gradelab autograde {e(assignment)} --force --dry-run</code>.</p>"
        )
    title = e(question.title or question.id)
    return (
        f'<div id="{anchor("responses-" + question.id)}" style="margin-top: 1rem"><h3>{title} '
        f'<span class="muted">({e(question.id)})</span></h3>'
        f'<div class="wide">{table(head, rows)}</div>{extra}{hint}</div>'
    )


def responses_section(found: list[QuestionResponses], assignment: str) -> str:
    """The section, or "" when the assignment has no quiz."""
    if not found:
        return ""
    body = "".join(question_table(q, assignment) for q in found)
    return (
        '<section id="responses"><h2>What students typed</h2><p class="how">Per quiz question, '
        "each distinct answer of the attempted submissions (read back normalized; equivalent "
        "ones merged), how many typed it and the score it earned, most frequent first.</p>"
        f"{body}</section>"
    )
