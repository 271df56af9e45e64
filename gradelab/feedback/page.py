"""The feedback page a student reads: one HTML file per graded notebook, made by nbgrader's
``generate_feedback`` with this exporter (``c.GenerateFeedback.exporter_class``).

At the top: the score, the late penalty and the policy that applied, and one line per
question saying what to look at. Then the notebook as graded: the questions (Markdown, with
formulas typeset as MathML, offline), the student's answers, and each test cell with its own
tests only, each a line that wraps. Everything the student wrote is escaped and the page is
sanitized; its Content-Security-Policy forbids scripts and any network access besides.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from nbconvert.exporters import Exporter
from nbformat import NotebookNode
from traitlets import default
from traitlets.config import Config

from gradelab.course import Course
from gradelab.feedback.hand_graded import awaiting_line, hand_graded_html
from gradelab.feedback.images import ImageSource
from gradelab.feedback.questions import prompt_html
from gradelab.grading.grade_notebook import is_hand_graded, is_test_cell, nbgrader_meta
from gradelab.grading.nbgrader_step import RESULTS_KEY
from gradelab.text.markup import escaped, markdown_html, sanitized

MAX_CODE = 20_000
MAX_POLICY_LINES = 10
STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
main { max-width: 58rem; margin: 0 auto; padding: 1.5rem; }
header, section.cell, div.cell { background: #fff; border: 1px solid #dde1e8;
  border-radius: 6px; padding: 0.8rem 1rem; margin: 0 0 0.8rem; }
h1 { font-size: 1.4rem; margin: 0 0 0.4rem; }
h2 { font-size: 1.1rem; margin: 0.8rem 0 0.4rem; }
h3 { font-size: 1rem; margin: 0 0 0.4rem; }
.total { font-size: 1.2rem; }
.penalty { color: #b3261e; }
pre, .message, li, td { white-space: pre-wrap; overflow-wrap: anywhere; }
pre { background: #f3f4f6; padding: 0.6rem; border-radius: 4px; font-size: 0.9rem; margin: 0; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #e5e7eb; padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; }
td:first-child { white-space: nowrap; }
.message { display: block; margin-left: 1.4rem; color: #3b4252; }
ul.tests { list-style: none; padding: 0; margin: 0; }
ul.tests li { padding: 0.2rem 0; }
.pass { color: #1b6e2a; } .fail { color: #b3261e; } .part { color: #8a5a00; }
.prompt { border-left: 4px solid #3b5bdb; }
.label { font-size: 0.8rem; color: #5b6474; text-transform: uppercase; letter-spacing: 0.04em; }
img { max-width: 100%; }
math[display="block"] { margin: 0.5rem 0; }
"""
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _number(value: Any) -> str:
    return f"{float(value):g}" if value is not None else "?"


def cell_results(cell: NotebookNode) -> dict | None:
    """The grade gradelab kept with a test cell: its tests, score and notes."""
    for output in cell.get("outputs", []):
        data = output.get("metadata", {}).get(RESULTS_KEY)
        if isinstance(data, dict):
            return data
    return None


def _mark(test: dict) -> tuple[str, str]:
    if test["earned"] >= test["points"]:
        return "pass", "\u2714"
    return ("part", "\u25d1") if test["earned"] > 0 else ("fail", "\u2718")


def shown_tests(cell: NotebookNode, shows: str) -> list[dict]:
    """The tests of a test cell the page may list: all, the public ones, or none."""
    tests = (cell_results(cell) or {}).get("tests", [])
    if shows == "score":
        return []
    return [t for t in tests if shows == "everything" or t.get("public")]


def _points(tests: list[dict]) -> tuple[float, float]:
    return sum(float(t["earned"]) for t in tests), sum(float(t["points"]) for t in tests)


def test_cell_html(
    cell: NotebookNode, shows: str = "everything", titles: dict[str, str] | None = None
) -> str:
    meta = nbgrader_meta(cell)
    grade_id = str(meta.get("grade_id", ""))
    title = (titles or {}).get(grade_id, grade_id)
    score, points = meta.get("score"), meta.get("points")
    tests = shown_tests(cell, shows)
    if shows == "public":
        earned, public_points = _points(tests)
        heading = f"{_number(earned)} of {_number(public_points)} points of public tests"
    else:
        heading = f"{_number(score)} of {_number(points)} points"
    parts = [
        f'<section class="cell grade" id="{html.escape(grade_id)}">',
        f"<h3>{html.escape(title)}: {heading}</h3>",
    ]
    hidden = len((cell_results(cell) or {}).get("tests", [])) - len(tests)
    if shows == "public" and hidden:
        parts.append(f"<p>{hidden} more test(s): their results are shown after the due date.</p>")
    if tests:
        lines = []
        for test in tests:
            kind, mark = _mark(test)
            message = (
                f' <span class="message">{escaped(test["message"], 600)}</span>'
                if test["message"]
                else ""
            )
            lines.append(
                f'<li class="{kind}">{mark} {escaped(test["title"], 300)} '
                f"[{_number(test['earned'])}/{_number(test['points'])}]{message}</li>"
            )
        parts.append(f'<ul class="tests">{"".join(lines)}</ul>')
    for output in cell.get("outputs", []) if shows == "everything" else []:
        png = output.get("data", {}).get("image/png")
        if output.get("output_type") == "display_data" and isinstance(png, str):
            title = escaped(output.get("data", {}).get("text/plain", "plot"), 200)
            parts.append(f'<img alt="{title}" src="data:image/png;base64,{html.escape(png)}">')
    parts.append("</section>")
    return "".join(parts)


def answer_cell_html(cell: NotebookNode) -> str:
    meta = nbgrader_meta(cell)
    label = "your answer" if meta.get("solution") else "code"
    body = f'<div class="label">{label}</div><pre>{escaped(cell.source, MAX_CODE)}</pre>'
    if meta.get("comment"):
        body += f'<div class="label">comment</div>{markdown_html(meta["comment"])}'
    return f'<div class="cell code">{body}</div>'


def summary_html(
    nb: NotebookNode, shows: str = "everything", titles: dict[str, str] | None = None
) -> str:
    """One row per question: its score and the first thing to look at."""
    rows = []
    for cell in filter(is_test_cell, nb.cells):
        meta, tests = nbgrader_meta(cell), shown_tests(cell, shows)
        failed = [t for t in tests if t["earned"] < t["points"]]
        look = escaped(failed[0]["message"] or failed[0]["title"], 300) if failed else "all passed"
        if shows == "score":
            look = "shown after the due date"
        name = str(meta.get("grade_id", ""))
        grade_id, title = html.escape(name), html.escape((titles or {}).get(name, name))
        score = f"{_number(meta.get('score'))} / {_number(meta.get('points'))}"
        if shows == "public":
            earned, points = _points(tests)
            score = f"{_number(earned)} / {_number(points)} (public tests)"
        rows.append(
            f'<tr><td><a href="#{grade_id}">{title}</a></td><td>{score}</td><td>{look}</td></tr>'
        )
    head = "<tr><th>question</th><th>score</th><th>what to look at</th></tr>"
    return f"<h2>Question by question</h2><table>{head}{''.join(rows)}</table>" if rows else ""


def notes_of(nb: NotebookNode) -> list[str]:
    """The notes on the whole submission (cells that raised, limits), once each."""
    notes: list[str] = []
    for cell in filter(is_test_cell, nb.cells):
        for note in (cell_results(cell) or {}).get("notes", []):
            if note not in notes:
                notes.append(str(note))
    return notes


def html_document(title: str, body: str, style: str = STYLE) -> str:
    """A whole page around sanitized ``body``: no script may run in it, nothing is fetched."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{style}</style></head>"
        f"<body><main>{sanitized(body)}</main></body></html>\n"
    )


def not_graded_page(assignment: str, notebook: str, reason: str, max_score: float) -> str:
    """The page of a submission that could not be graded, with the reason."""
    body = (
        f"<header><h1>{html.escape(assignment)}: {html.escape(notebook)}</h1>"
        f'<p class="total">Score: <strong>0 / {max_score:g}</strong></p>'
        f"<p>Your submission could not be graded: <strong>{escaped(reason, 400)}</strong>.</p>"
        "<p>Fix the file and submit again, or ask your instructor.</p></header>"
    )
    return html_document(f"{assignment}: not graded", body)


def page(
    nb: NotebookNode,
    info: dict,
    policy: list[str] | None = None,
    shows: str = "everything",
    images: ImageSource | None = None,
    questions: dict | None = None,
    awaiting: set[str] | None = None,
) -> str:
    """The feedback page of a graded notebook; ``info`` is nbgrader's resources["nbgrader"],
    ``policy`` what the course's policy says of this submission, ``shows`` what the page
    may show now (see ``gradelab.course.policy``), ``images`` the assignment's, embedded in Markdown
    cells, ``questions`` their titles and prompts (see ``gradelab.feedback.questions``) and
    ``awaiting`` the hand-graded cells not graded yet: never the notebook's own metadata,
    which is the student's."""
    images = images or ImageSource(None)
    titles, prompts = (questions or {}).get("titles", {}), (questions or {}).get("prompts", {})
    awaiting = awaiting or set()
    assignment, notebook = str(info.get("assignment", "")), str(info.get("notebook", ""))
    title = assignment if notebook in ("", assignment) else f"{assignment}: {notebook}"
    penalty = float(info.get("late_penalty") or 0)
    total = (
        "shown after the due date"
        if shows == "public"
        else f"{_number(info.get('score'))} / {_number(info.get('max_score'))}"
    )
    header = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="total">Score: <strong>{total}</strong></p>',
    ]
    policy = [str(line) for line in policy or []][:MAX_POLICY_LINES]
    if line := awaiting_line(nb, awaiting):
        policy.insert(0, line)
    if penalty > 0:
        policy.insert(0, f"A late penalty of {penalty:g} points was taken off (late submission).")
    if policy:
        header.append(
            "<ul>" + "".join(f"<li>{escaped(line, 400)}</li>" for line in policy) + "</ul>"
        )
    notes = notes_of(nb) if shows != "score" else []
    if notes:
        items = "".join(f"<li>{escaped(note, 400)}</li>" for note in notes)
        header.append(f"<h2>About the whole submission</h2><ul>{items}</ul>")
    header.append(summary_html(nb, shows, titles))
    cells = []
    for cell in nb.cells:
        asked = prompt_html(cell, prompts)
        if asked is not None:
            cells.append(asked)
        elif is_hand_graded(cell):
            cells.append(hand_graded_html(cell, awaiting))
        elif cell.cell_type == "markdown":
            text = images.fill(markdown_html(images.markdown(cell)))
            cells.append(f'<div class="cell markdown">{text}</div>')
        elif is_test_cell(cell):
            cells.append(test_cell_html(cell, shows, titles))
        elif cell.cell_type == "code" and cell.source.strip():
            cells.append(answer_cell_html(cell))
    return html_document(title, f"<header>{''.join(header)}</header>{''.join(cells)}")


def released_folder(config: Config, info: dict) -> Path | None:
    """The released folder of the page's assignment, whose images the page may show."""
    assignment = str(info.get("assignment", ""))
    if not assignment or "/" in assignment or assignment in (".", ".."):
        return None
    return Course.from_config(config).release_folder(assignment)


class FeedbackPage(Exporter):
    """nbconvert exporter of gradelab's feedback page (see the module's docstring)."""

    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"

    def from_notebook_node(
        self, nb: NotebookNode, resources: dict | None = None, **kw: Any
    ) -> tuple[str, dict]:
        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        ours = resources.get("gradelab", {})
        shows = ours.get("shows", "everything")
        info = resources.get("nbgrader", {})
        images = ImageSource(released_folder(self.config, info))
        awaiting = set(ours.get("awaiting", []))
        page_html = page(
            nb_copy,
            info,
            ours.get("policy", []),
            shows,
            images=images,
            questions=ours,
            awaiting=awaiting,
        )
        return page_html, resources
