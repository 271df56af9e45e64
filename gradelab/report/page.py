"""The report's HTML page, from the submissions as read and the questions as analysed.

Every piece of text is escaped where it is put in the page (failure messages carry what
students wrote: exception names, cell names); the charts are drawn from numbers alone. Its
Content-Security-Policy (the feedback pages') lets nothing run and nothing be fetched.
"""

from __future__ import annotations

import html
import os
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import quote

from gradelab.feedback.page import CSP
from gradelab.report.analysis import QuestionReport
from gradelab.report.charts import Bin, bar_chart_svg, score_bins
from gradelab.report.items import DISCRIMINATION_BELOW, HARD_BELOW, MIN_SUBMISSIONS
from gradelab.report.problems import CRASH, LIMIT, NOTE
from gradelab.report.submissions import AssignmentRecord, Status, Submission

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
main { max-width: 72rem; margin: 0 auto; padding: 1.2rem 1.5rem; }
section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px;
  padding: 0.8rem 1rem; margin: 0 0 0.8rem; }
h1 { font-size: 1.45rem; margin: 0.2rem 0 0.6rem; }
h2 { font-size: 1.15rem; margin: 0 0 0.5rem; }
h3 { font-size: 1.02rem; margin: 0 0 0.4rem; }
p { margin: 0.3rem 0; }
table { border-collapse: collapse; margin: 0.3rem 0 0.6rem; }
td, th { border-bottom: 1px solid #e5e7eb; padding: 0.25rem 0.55rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
th { background: #f0f2f5; font-weight: 600; vertical-align: bottom; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n, td.id, td.link { white-space: nowrap; }
.wide { overflow-x: auto; }
figure { margin: 0.2rem 0; }
figcaption { font-size: 0.85rem; color: #5b6474; }
svg { max-width: 100%; height: auto; }
.flag { background: #fdecea; }
ul.flags li { margin: 0.25rem 0; }
.how { font-size: 0.88rem; color: #3b4252; }
.question .columns { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.question .columns > * { flex: 1 1 22rem; }
td.full { background: #e7f4ea; } td.zero { background: #fbeaea; } td.part { background: #fdf5e2; }
.muted { color: #5b6474; }
"""
#: The sections of problems: kind -> (the section's id, its title).
KINDS = {CRASH: ("crashes", "Crashes"), LIMIT: ("limits", "Limits"), NOTE: ("notes", "Other notes")}


def e(value: object) -> str:
    """``value`` as text in HTML."""
    return html.escape(str(value), quote=True)


def points(value: float) -> str:
    return f"{value:g}"


def anchor(question: str) -> str:
    return "q-" + quote(question, safe="")


def duration(seconds: float) -> str:
    """A lateness in words: "2 d 3 h", "4 h 5 min", "12 min", "30 s"."""
    whole = int(seconds)
    days, hours, minutes = whole // 86400, whole % 86400 // 3600, whole % 3600 // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{whole} s"


def cell(content: str, *classes: str, tag: str = "td") -> str:
    """A table cell holding ``content`` (already HTML)."""
    names = " ".join(c for c in classes if c)
    return f'<{tag} class="{names}">{content}</{tag}>' if names else f"<{tag}>{content}</{tag}>"


def table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table of cells made by ``cell`` (``tag="th"`` for the head)."""
    body = "".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    return f"<table><thead><tr>{''.join(head)}</tr></thead><tbody>{body}</tbody></table>"


def headers(*names: str, numeric: Iterable[int] = ()) -> list[str]:
    """Head cells of ``names`` (HTML); the columns ``numeric`` are aligned right."""
    right = set(numeric)
    return [cell(n, "n" if i in right else "", tag="th") for i, n in enumerate(names)]


def breakable(name: str) -> str:
    """``name`` in HTML, which may break after each underscore: grade ids are long."""
    return e(name).replace("_", "_<wbr>")


def figure(bins: list[Bin], xlabel: str, size: tuple[float, float], name: str, caption: str) -> str:
    if any(b.low != b.high for b in bins):
        caption += (
            " Each bar counts the scores from its first value up to its second, which belongs "
            "to the next bar (but for the last)."
        )
    svg = bar_chart_svg(bins, xlabel, size, name)
    return f"<figure>{svg}<figcaption>{e(caption)}</figcaption></figure>"


def summary(record: AssignmentRecord) -> str:
    counts = {status: 0 for status in Status}
    for submission in record.submissions:
        counts[submission.status] += 1
    parts = [f"{counts[s]} {s.value}" for s in Status if counts[s] or s is Status.ATTEMPTED]
    line = f"{len(record.submissions)} submissions in the gradebook: " + ", ".join(parts) + "."
    due = f" Due {record.duedate:%Y-%m-%d %H:%M} UTC." if record.duedate else " No due date set."
    totals = [s.total for s in record.submissions if s.attempted]
    scores = (
        f"Over the {len(totals)} attempted: mean {statistics.fmean(totals):.1f}, "
        f"median {statistics.median(totals):g} of {record.max_score:g} points."
        if totals
        else "No attempted submission has been graded yet."
    )
    return f"<p>{e(line + due)}</p><p>{e(scores)}</p>"


def how_to_read(attempted: int) -> str:
    return (
        '<p class="how"><strong>Difficulty</strong>: the share of the question\'s points the '
        "attempted submissions earned on average. <strong>Discrimination</strong>: the "
        "correlation between the question's score and the rest of the total (the total minus "
        "that question); near zero, the question does not tell strong students from weak "
        "ones; negative, strong students fail it more often than weak ones (a wrong key or a "
        f"broken test?). A question is flagged when its difficulty is below {HARD_BELOW:.0%} "
        f"(nearly everyone fails it) or its discrimination is below {DISCRIMINATION_BELOW:g}, "
        f"with at least {MIN_SUBMISSIONS} attempted submissions ({attempted} here). "
        "Submissions not attempted (no answer cell changed from the release), not graded or "
        "with no score yet are left out of every statistic and chart.</p>"
    )


def flags_section(reports: list[QuestionReport], attempted: int) -> str:
    flagged = [r for r in reports if r.statistics.flags]
    if flagged:
        items = "".join(
            f'<li class="flag"><a href="#{anchor(r.question.name)}">{e(r.question.label)}</a>: '
            + "; ".join(e(flag) for flag in r.statistics.flags)
            + "</li>"
            for r in flagged
        )
        body = f'<ul class="flags">{items}</ul>'
    elif attempted < MIN_SUBMISSIONS:
        body = f"<p>Too few attempted submissions to flag questions ({attempted}).</p>"
    else:
        body = "<p>No question is flagged.</p>"
    return (
        f'<section id="flags"><h2>Questions to look at</h2>{body}{how_to_read(attempted)}</section>'
    )


def share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def discrimination(report: QuestionReport) -> str:
    stats = report.statistics
    if stats.discrimination is None:
        return f'<span class="muted" title="{e(stats.why_undefined)}">undefined</span>'
    return f"{stats.discrimination:.2f}"


def to_grade_note(report: QuestionReport) -> str:
    """What the table says of a question with answers still to grade by hand."""
    return f"{report.to_grade} to grade by hand" if report.to_grade else ""


def questions_table(reports: list[QuestionReport]) -> str:
    rows = []
    for r in reports:
        stats, flag = r.statistics, "flag" if r.statistics.flags else ""
        rows.append(
            [
                cell(f'<a href="#{anchor(r.question.name)}">{e(r.question.label)}</a>', flag),
                cell(points(r.question.points), "n"),
                cell("" if stats.mean is None else f"{stats.mean:.2f}", "n"),
                cell(share(stats.difficulty), "n"),
                cell(discrimination(r), "n"),
                cell(to_grade_note(r) or ("flagged" if flag else ""), flag),
            ]
        )
    head = headers("question", "points", "mean", "difficulty", "discrimination", "flag",
                   numeric=(1, 2, 3, 4))  # fmt: skip
    return table(head, rows)


def question_section(report: QuestionReport, index: int) -> str:
    q, stats = report.question, report.statistics
    lines = [f"{stats.submissions} attempted submissions"]
    if stats.mean is not None:
        lines.append(f"mean {stats.mean:.2f} of {q.points:g}")
        lines.append(f"difficulty {share(stats.difficulty)}")
    lines.append(
        f"discrimination {stats.discrimination:.2f}"
        if stats.discrimination is not None
        else f"discrimination undefined: {stats.why_undefined}"
    )
    flags = "".join(f'<p class="flag">Flagged: {e(flag)}</p>' for flag in stats.flags)
    chart = ""
    if report.scores:
        chart = figure(
            score_bins(report.scores, q.points),
            f"points (of {q.points:g})",
            (4.6, 2.2),
            f"q{index}",
            f"Scores of the {len(report.scores)} attempted submissions on {q.label}.",
        )
    rates = table(
        headers("test", "passed", "pass rate", numeric=(1, 2)),
        [
            [
                cell(e(p.test)),
                cell(f"{p.passed} of {p.graded}", "n"),
                cell(f"{p.passed / p.graded:.0%}" if p.graded else "", "n"),
            ]
            for p in report.pass_rates
        ],
    )
    mistakes = (
        table(
            headers("most common mistakes (failure messages)", "students", numeric=(1,)),
            [[cell(e(m.message)), cell(str(m.students), "n")] for m in report.mistakes],
        )
        if report.mistakes
        else "<p>No failure message.</p>"
    )
    return (
        f'<section class="question" id="{anchor(q.name)}">'
        f"<h3>{e(q.label)} ({q.points:g} points)</h3><p>{e('; '.join(lines))}.</p>{flags}"
        f'<div class="columns">{chart}<div>{rates}{mistakes}</div></div></section>'
    )


def score_cell(score: float | None, maximum: float) -> str:
    if score is None:
        return cell("")
    kind = "full" if score >= maximum - 1e-9 else "zero" if score <= 1e-9 else "part"
    return cell(points(score), "n", kind)


def feedback_links(submission: Submission, report_folder: Path) -> str:
    """Relative links to the student's feedback pages that exist, one per notebook."""
    links = []
    for path in submission.feedback:
        href = quote(Path(os.path.relpath(path, report_folder)).as_posix())
        name = "feedback" if len(submission.feedback) == 1 else path.stem
        links.append(f'<a href="{e(href)}">{e(name)}</a>')
    return " ".join(links)


def late(submission: Submission) -> str:
    if submission.seconds_late <= 0:
        return ""
    penalty = f", \u2212{points(submission.penalty)} points" if submission.penalty else ""
    return e(f"{duration(submission.seconds_late)} late{penalty}")


def students_section(record: AssignmentRecord, report_folder: Path) -> str:
    questions = record.questions
    head = headers(
        "student",
        "status",
        *(f"{breakable(q.label)} ({q.points:g})" for q in questions),
        f"total ({record.max_score:g})",
        "late",
        "score",
        "feedback",
        numeric=[*range(2, len(questions) + 3), len(questions) + 4],
    )
    rows = []
    for s in record.submissions:
        rows.append(
            [
                cell(e(s.student), "id"),
                cell(e(s.status.value), "id"),
                *(score_cell(s.scores.get(q.name), q.points) for q in questions),
                cell(points(s.total), "n"),
                cell(late(s)),
                cell(points(max(0.0, s.total - s.penalty)), "n"),
                cell(feedback_links(s, report_folder), "link"),
            ]
        )
    return (
        '<section id="students"><h2>Students</h2><p class="how">Score per question; total '
        "before any late penalty; score after it (nbgrader's late penalty, from the "
        "submission time and the due date in the gradebook).</p>"
        f'<div class="wide">{table(head, rows)}</div></section>'
    )


def problems_sections(record: AssignmentRecord) -> str:
    parts = []
    blank = [s.student for s in record.submissions if s.status is Status.NOT_ATTEMPTED]
    parts.append(
        '<section id="not-attempted"><h2>Not attempted</h2><p class="how">Graded, but no answer '
        "cell changed from the release notebook: 0 points, left out of the statistics.</p>"
        + (f"<p>{e(', '.join(blank))}</p>" if blank else "<p>None.</p>")
        + "</section>"
    )
    for kind, (section_id, title) in KINDS.items():
        rows = [
            [cell(e(s.student)), cell(e(p.what))]
            for s in record.submissions
            for p in s.problems
            if p.kind == kind
        ]
        if rows or kind != NOTE:
            body = table(headers("student", "what happened"), rows) if rows else "<p>None.</p>"
            parts.append(f'<section id="{section_id}"><h2>{title}</h2>{body}</section>')
    for status, title, why in (
        (Status.REFUSED, "Not graded", "refused when screened or prepared: 0 points"),
        (
            Status.NO_SCORE,
            "No score yet",
            "grading failed on the grader's side; graded again next run",
        ),
    ):
        rows = [
            [cell(e(s.student)), cell(e(s.reason))]
            for s in record.submissions
            if s.status is status
        ]
        body = table(headers("student", "reason"), rows) if rows else "<p>None.</p>"
        anchor_id = status.name.lower().replace("_", "-")
        parts.append(
            f'<section id="{anchor_id}"><h2>{title}</h2>'
            f'<p class="how">{e(why)}.</p>{body}</section>'
        )
    return "".join(parts)


def render(
    record: AssignmentRecord,
    reports: list[QuestionReport],
    report_folder: Path,
    notice: str = "",
    responses: str = "",
) -> str:
    """The whole page; links to feedback pages are relative to ``report_folder``; ``notice``
    is said under the title (how the assignment was graded, when it matters); ``responses``
    is the response analysis section (``gradelab.report.responses_page``)."""
    attempted = [s for s in record.submissions if s.attempted]
    parts = [
        f"<h1>{e(record.assignment)}: how it went</h1>",
        f'<p class="flag">{e(notice)}</p>' if notice else "",
        f'<section id="summary">{summary(record)}</section>',
    ]
    parts.append(flags_section(reports, len(attempted)))
    if attempted:
        parts.append(
            '<section id="totals"><h2>Total scores</h2>'
            + figure(
                score_bins([s.total for s in attempted], record.max_score),
                f"total score (of {record.max_score:g} points)",
                (8.0, 2.6),
                "totals",
                f"Totals of the {len(attempted)} attempted submissions.",
            )
            + "</section>"
        )
    if reports:
        parts.append(
            f'<section id="questions"><h2>Questions</h2>{questions_table(reports)}</section>'
        )
        parts.extend(question_section(r, i) for i, r in enumerate(reports, start=1))
    parts.append(responses)
    parts.append(students_section(record, report_folder))
    parts.append(problems_sections(record))
    title = f"{record.assignment}: report"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{''.join(parts)}</main></body></html>\n"
    )
