"""The numbers behind the report, checked against values computed independently: item
statistics, the bars of a chart, what counts as a crash or a limit; and a page that shows
whatever students wrote as text, never as markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradelab.report.analysis import question_reports
from gradelab.report.charts import MAX_BARS, bar_chart_svg, score_bins
from gradelab.report.items import (
    DISCRIMINATION_BELOW,
    HARD_BELOW,
    MIN_SUBMISSIONS,
    correlation,
    item_statistics,
)
from gradelab.report.page import render
from gradelab.report.problems import CRASH, LIMIT, NOTE, problems_of
from gradelab.report.submissions import (
    MESSAGE_CHARS,
    AssignmentRecord,
    Question,
    RecordedTest,
    Status,
    Submission,
    recorded_test,
)

POINTS = {"q1": 6.0, "q2": 4.0, "q3": 4.0}


def by_question(stats):
    return {s.question: s for s in stats}


def test_difficulty_is_the_mean_share_of_the_points():
    scores = [{"q1": 6, "q2": 1, "q3": 0}, {"q1": 3, "q2": 2, "q3": 4}, {"q1": 0, "q2": 3}]
    stats = by_question(item_statistics(POINTS, scores))
    assert stats["q1"].difficulty == pytest.approx((6 + 3 + 0) / 3 / 6)
    assert stats["q2"].difficulty == pytest.approx((1 + 2 + 3) / 3 / 4)
    assert stats["q3"].mean == pytest.approx(4 / 3)  # a missing score counts 0


def test_discrimination_is_the_correlation_with_the_rest_of_the_total():
    rng = np.random.default_rng(7)
    table = rng.integers(0, 5, size=(40, 3)).astype(float)
    scores = [dict(zip(POINTS, row, strict=True)) for row in table]
    stats = item_statistics(POINTS, scores)
    for column, found in enumerate(stats):
        rest = table.sum(axis=1) - table[:, column]
        assert found.discrimination == pytest.approx(np.corrcoef(table[:, column], rest)[0, 1])


def test_known_correlations():
    assert correlation([1, 0, 1, 0], [0, 1, 0, 1]) == pytest.approx(-1.0)
    assert correlation([0, 0, 1, 1], [1, 0, 1, 0]) == pytest.approx(0.0)
    assert correlation([0, 1, 2], [1, 2, 4]) == pytest.approx(3 / np.sqrt(2 * 14 / 3))


def test_a_question_strong_students_fail_is_flagged_and_the_others_are_not():
    points = {**POINTS, "q4": 4.0}
    scores = [
        {"q1": 6.0 * (k >= 5), "q2": 4.0 * (k < 4), "q3": 4.0 * (k >= 3), "q4": 4.0 * (k >= 8)}
        for k in range(12)
    ]
    stats = by_question(item_statistics(points, scores))
    assert stats["q2"].discrimination < 0
    assert any("strong students fail it" in flag for flag in stats["q2"].flags)
    assert stats["q2"].flags == (stats["q2"].flags[0],)
    assert f"flagged below {DISCRIMINATION_BELOW:g}" in stats["q2"].flags[0]
    assert [q for q, s in stats.items() if s.flags] == ["q2"]


def test_a_question_nearly_everyone_fails_is_flagged():
    scores = [{"q1": 6.0 * (k % 2), "q2": 4.0 * (k % 2), "q3": 0.5 * (k == 3)} for k in range(12)]
    stats = by_question(item_statistics(POINTS, scores))
    assert stats["q3"].difficulty < HARD_BELOW
    assert any("nearly everyone fails it" in flag for flag in stats["q3"].flags)
    assert not any("nearly everyone" in flag for flag in stats["q1"].flags + stats["q2"].flags)


def test_a_difficulty_at_the_threshold_is_not_flagged():
    scores = [{"q1": 6.0 * HARD_BELOW, "q2": float(k % 3), "q3": float(k % 2)} for k in range(12)]
    assert by_question(item_statistics(POINTS, scores))["q1"].flags == ()


def test_too_few_submissions_are_not_flagged():
    scores = [{"q1": 0.0, "q2": 4.0 * (k < 2), "q3": 4.0 * (k >= 2)} for k in range(4)]
    assert MIN_SUBMISSIONS > 4
    assert all(s.flags == () for s in item_statistics(POINTS, scores))


@pytest.mark.parametrize(
    ("points", "scores", "why"),
    [
        (POINTS, [{"q1": 6, "q2": 1, "q3": 2}, {"q1": 6, "q2": 3, "q3": 0}], "same on this"),
        ({"q1": 6.0}, [{"q1": 1}, {"q1": 5}], "no other question"),
        (POINTS, [{"q1": 1, "q2": 2, "q3": 2}, {"q1": 5, "q2": 2, "q3": 2}], "rest of the"),
        (POINTS, [{"q1": 1, "q2": 2, "q3": 2}], "at least 2 submissions"),
    ],
)
def test_discrimination_is_undefined_and_says_why(points, scores, why):
    first = item_statistics(points, scores)[0]
    assert first.discrimination is None and why in first.why_undefined


def test_no_submissions_give_no_statistics():
    stats = item_statistics(POINTS, [])
    assert all(s.mean is None and s.difficulty is None and s.flags == () for s in stats)


def test_whole_points_get_one_bar_per_score():
    bins = score_bins([0, 3, 3, 6, 5], 6)
    assert [b.label for b in bins] == ["0", "1", "2", "3", "4", "5", "6"]
    assert [b.count for b in bins] == [1, 0, 0, 2, 0, 1, 1]


def test_half_points_get_one_bar_per_half():
    bins = score_bins([0.5, 1.5, 4], 4)
    assert len(bins) == 9 and bins[1].label == "0.5" and bins[-1].count == 1


def test_scores_off_any_step_get_round_ranges():
    bins = score_bins([0.33, 7.77, 21.9, 22], 22)
    assert len(bins) <= MAX_BARS and bins[0].low == 0 and bins[-1].high >= 22
    assert {round(b.high - b.low, 9) for b in bins} == {1.0}
    assert bins[-1].count == 2  # the last range holds the maximum


@given(
    st.lists(st.floats(0, 40, allow_nan=False), max_size=60),
    st.sampled_from([1.0, 4.0, 6.0, 22.0, 40.0]),
)
def test_every_score_is_counted_once_in_the_bar_that_holds_it(scores, maximum):
    scores = [min(s, maximum) for s in scores]
    bins = score_bins(scores, maximum)
    assert len(bins) <= MAX_BARS and sum(b.count for b in bins) == len(scores)
    for score in scores:
        holding = [
            b
            for b in bins
            if b.low - 1e-6 <= score <= b.high + 1e-6
            and (b.low == b.high or score < b.high - 1e-6 or b is bins[-1])
        ]
        assert any(b.count for b in holding), (score, bins)


def test_a_chart_has_tick_labels_and_the_count_on_each_bar():
    svg = bar_chart_svg(score_bins([0, 3, 3, 4, 4, 4], 4), "points (of 4)", (4, 2), "q1")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"0", "1", "2", "3", "4", "points (of 4)", "submissions"} <= set(texts)
    assert texts.count("2") >= 2 and "1" in texts  # the counts 1, 2, 3 above their bars
    assert svg.startswith("<svg") and not re.search(r'id="(?!q1-)', svg)


def test_a_raised_answer_cell_is_a_crash_and_an_untouched_one_is_not():
    notes = [
        "cell 'compute_gradient' raised ValueError at line 3 when it was run",
        "cell 'typed_derivatives' raised NotImplementedError at line 2 when it was run",
        "cell 'typed_preview' raised NameError at line 5 when it was run",
        "graded with weaker isolation: namespaces were unavailable",
    ]
    messages = ["compute_gradient: it did not finish within 1 s; it is not called again"] * 3
    found = problems_of(notes, messages, answered={"compute_gradient"})
    assert [(p.kind, p.what) for p in found] == [
        (CRASH, notes[0]),
        (NOTE, notes[3]),
        (LIMIT, messages[0]),
    ]


def test_a_sandbox_that_died_is_a_crash_and_memory_a_limit():
    found = problems_of(
        ["the submission was stopped: it ended the submission's process (exit status 3)"],
        ["f: it used more than 1024 MB of memory; it is not called again", "wrong value"],
        answered=set(),
    )
    assert [p.kind for p in found] == [CRASH, LIMIT]


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@given(
    st.dictionaries(st.sampled_from(["title", "points", "earned", "message", "cell"]), json_values)
    | json_values
)
def test_any_stored_test_result_is_read_or_skipped_never_a_crash(data):
    found = recorded_test(data)
    if found is not None:
        assert isinstance(found, RecordedTest) and len(found.message) <= MESSAGE_CHARS
        assert "\n" not in found.title + found.message


class Markup(HTMLParser):
    """The tags, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "section", "h1", "h2", "h3",
    "p", "ul", "li", "a", "strong", "span", "table", "thead", "tbody", "tr", "th", "td", "div",
    "figure", "figcaption", "wbr", "svg", "defs", "g", "path", "use", "clippath", "text", "rect",
}  # fmt: skip
hostile = st.lists(
    st.sampled_from([*"<>&\"'/=x ;:", "<script>", "</td>", " onload=", "\u202e", "\n"]),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(student=hostile, message=hostile, title=hostile, reason=hostile)
def test_whatever_students_wrote_shows_as_text_never_as_markup(student, message, title, reason):
    questions = [Question("q1", 2.0), Question("q2", 2.0)]
    failed = [RecordedTest(title, 2.0, 0.0, message)]
    submissions = [
        Submission(
            student=f"{student}{k}",
            status=Status.ATTEMPTED,
            scores={"q1": float(k % 3), "q2": 2.0},
            total=float(k % 3) + 2,
            tests={"q1": failed if k % 3 < 2 else [], "q2": []},
        )
        for k in range(12)
    ]
    submissions.append(
        Submission(student="refused", status=Status.REFUSED, scores={}, total=0, reason=reason)
    )
    record = AssignmentRecord("week<1>", questions, submissions)
    page = render(record, question_reports(record), Path("gradebook"))
    markup = Markup()
    markup.feed(page)
    assert markup.tags <= PAGE_TAGS, markup.tags - PAGE_TAGS
    assert not {a for a in markup.attributes if a.startswith("on")}
    shown = "".join(markup.text)
    assert message.strip() in shown and reason.strip() in shown and f"{student}0" in shown
