"""``gradelab serve`` grades a student's submissions of an assignment in the order they made
them, one at a time, and never while another of theirs is still being copied, placed or
told: so the hourly limit always holds the latest ones, and no page is lost to the next."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gradelab.serve.ledger import Row
from gradelab.serve.service import next_in_line

START = datetime(2026, 12, 1, 10, tzinfo=UTC)
BLANK = Row(
    "", None, None, None, START, "arrived", None, None, None, None, None, None, None, False,
    0, None, None, None,
)  # fmt: skip


@st.composite
def working_rows(draw) -> list[Row]:
    """Unfinished rows of a few students and assignments, seen and submitted in any order."""
    rows = []
    for k in range(draw(st.integers(0, 12))):
        state = draw(st.sampled_from(["arrived", "snapshotted", "graded", "recorded", "refused"]))
        submitted = draw(st.integers(0, 5)) if state != "arrived" else None
        rows.append(
            replace(
                BLANK,
                name=f"row{k:02d}",
                student=draw(st.sampled_from(["ann", "bo"])),
                assignment=draw(st.sampled_from(["ps1", "ps2"])),
                state=state,
                seen_at=START + timedelta(seconds=draw(st.integers(0, 5))),
                submitted_at=None if submitted is None else START + timedelta(seconds=submitted),
            )
        )
    return draw(st.permutations(rows))


@given(working_rows())
def test_only_the_first_submitted_of_a_students_snapshotted_ones_is_next(rows):
    chosen = next_in_line(rows)
    pairs = {(r.student, r.assignment) for r in rows}
    for pair in pairs:
        mine = [r for r in rows if (r.student, r.assignment) == pair]
        picked = [r for r in mine if r.name in chosen]
        waiting = [r for r in mine if r.state == "snapshotted"]
        under_way = any(r.state != "snapshotted" for r in mine)
        if under_way or not waiting:
            assert picked == []
            continue
        assert len(picked) == 1 and picked[0].state == "snapshotted"
        assert all(
            (picked[0].submitted_at, picked[0].name) <= (r.submitted_at, r.name) for r in waiting
        )
