"""A due date means one moment or is refused: an offset or an IANA zone, nothing guessed."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradelab.course.policy import read_policy
from gradelab.errors import CourseError
from gradelab.text import printable

WHERE = "nbgrader_config.py: c.Gradelab.policies"
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]


def due(text: object) -> datetime | None:
    return read_policy("week_3", {"week_3": {"due": text}}, WHERE).due


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-12-04 17:00 +01:00", datetime(2026, 12, 4, 16, 0, tzinfo=UTC)),
        ("2026-12-04T17:00+01:00", datetime(2026, 12, 4, 16, 0, tzinfo=UTC)),
        ("2026-12-04 17:00 Europe/Paris", datetime(2026, 12, 4, 16, 0, tzinfo=UTC)),
        ("2026-07-04 17:00 Europe/Paris", datetime(2026, 7, 4, 15, 0, tzinfo=UTC)),
        ("2026-12-04 17:00:30 UTC", datetime(2026, 12, 4, 17, 0, 30, tzinfo=UTC)),
        ("2026-12-04T17:00Z", datetime(2026, 12, 4, 17, 0, tzinfo=UTC)),
        ("2026-12-04 09:00 America/New_York", datetime(2026, 12, 4, 14, 0, tzinfo=UTC)),
    ],
)
def test_a_date_with_an_offset_or_a_zone_is_that_moment(text, moment):
    assert due(text) == moment


@pytest.mark.parametrize(
    "text",
    [
        "PST",
        "2026-12-04 17:00 PST",
        "04/12/2026",
        "2026-12-04 17:00",
        "2026-12-04",
        "2026-12-04 17:00 Mars/Olympus",
        "2026-03-29 02:30 Europe/Paris",  # the clocks skip it
        "2026-10-25 02:30 Europe/Paris",  # the clocks show it twice
        "2026-02-30 17:00 UTC",
        "2026-12-04 17:00 +01:75",
    ],
)
def test_any_other_date_is_refused_with_its_text_and_the_setting(text):
    with pytest.raises(CourseError) as refused:
        due(text)
    assert f"{WHERE}['week_3']['due']" in str(refused.value)
    assert f'"{text}"' in str(refused.value)


def test_an_extension_date_is_read_the_same_way():
    entries = {"week_3": {"due": "2026-12-04 17:00 UTC", "extensions": {"bob": "04/12/2026"}}}
    with pytest.raises(CourseError, match=r"\['extensions'\]\['bob'\]: \"04/12/2026\""):
        read_policy("week_3", entries, WHERE)
    entries["week_3"]["extensions"] = {"bob": "2026-12-06 12:00 Europe/Paris"}
    policy = read_policy("week_3", entries, WHERE)
    assert policy.extension("bob") == timedelta(days=1, hours=18)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100) | st.from_regex(r"\A\d{4}-\d\d-\d\d[T ]\d\d:\d\d.{0,30}\Z"))
def test_any_text_is_a_moment_in_utc_or_refused_with_its_text(text):
    try:
        moment = due(text)
    except CourseError as refused:
        assert printable(text, 80) in str(refused)
    else:
        assert moment is not None and moment.utcoffset() == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9998, 1, 1)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
    st.sampled_from(["{d}T{t}{o}", "{d} {t} {o}", "{d} {t}{o}"]),
)
def test_a_moment_written_with_its_offset_is_read_back_exactly(local, minutes, form):
    local = local.replace(microsecond=local.microsecond // 1000 * 1000)
    sign = "-" if minutes < 0 else "+"
    offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    text = form.format(d=f"{local:%Y-%m-%d}", t=f"{local:%H:%M:%S.%f}", o=offset)
    expected = local.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    assert due(text) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(ZONES),
)
def test_a_time_of_a_zone_is_read_as_that_zone_shows_it_or_refused(local, name):
    local = local.replace(second=0, microsecond=0, fold=0)  # the text has no fold
    text = f"{local:%Y-%m-%d %H:%M} {name}"
    zone = ZoneInfo(name)
    first, second = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
    exists_once = first.utcoffset() == second.utcoffset() and (
        first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local
    )
    if exists_once:
        assert due(text) == first
    else:
        with pytest.raises(CourseError, match="skip or repeat"):
            due(text)
