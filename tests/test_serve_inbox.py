"""The exchange's inbound folder is written by students: whatever an entry is called and
whatever its secret holds, reading it takes, refuses or waits, with a short printable reason."""

from __future__ import annotations

import re
import tempfile
import time
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradelab.autograde.intake import Refused
from gradelab.course import Course
from gradelab.serve.collect import secret_of
from gradelab.serve.inbox import QUIET_SECONDS, SECRET, InboundEntry, Unusable, read_entry

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = {"mse_gradient"}
#: A file name: any characters but "/" and NUL, at most 255 bytes.
NAMES = st.text(
    st.characters(blacklist_characters="/\x00", blacklist_categories=["Cs"]), min_size=1
).filter(lambda name: name not in (".", "..") and len(name.encode()) <= 255)


@pytest.fixture(scope="module")
def course() -> Course:
    return Course.load(REPO)


def entry_folder(root: Path, name: str, secret: bytes) -> Path:
    """An entry as ``nbgrader submit`` leaves it; once quiet when its name could be taken."""
    path = root / name
    path.mkdir()
    (path / SECRET).write_bytes(secret)
    if name.count("+") >= 2:
        time.sleep(QUIET_SECONDS + 0.05)
    return path


def safe_to_show(text: str) -> bool:
    """No control, line-breaking or direction-changing character, no lone surrogate."""
    return not any(
        unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")
        or "\u202a" <= c <= "\u202e"
        or "\u2066" <= c <= "\u2069"
        for c in text
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES, secret=st.binary(max_size=600))
def test_any_entry_name_and_secret_is_taken_or_refused_with_a_short_printable_reason(
    course, name, secret
):
    with tempfile.TemporaryDirectory() as root:
        path = entry_folder(Path(root), name, secret)
        entry = read_entry(course, path, ASSIGNMENTS, owners=False)
        if isinstance(entry, Unusable):
            assert safe_to_show(entry.reason) and len(entry.reason) < 400
            return
        assert isinstance(entry, InboundEntry), entry  # a quiet entry is complete
        assert entry.assignment in ASSIGNMENTS and course.valid_student_id(entry.student)
        assert name.startswith(f"{entry.student}+{entry.assignment}+")
        try:
            text = secret_of(entry)
        except Refused as refused:
            assert safe_to_show(str(refused))
        else:
            assert len(text) <= 300 and text.isascii() and text.isprintable()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(student=st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True), secret=st.binary())
def test_a_well_named_entry_is_taken_whatever_its_secret_holds(course, student, secret):
    stamp = datetime(2026, 12, 1).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    with tempfile.TemporaryDirectory() as root:
        path = entry_folder(Path(root), f"{student}+mse_gradient+{stamp}+x1", secret)
        entry = read_entry(course, path, ASSIGNMENTS, owners=False)
        assert isinstance(entry, InboundEntry) and entry.student == student
        if re.fullmatch(rb"\s*[0-9A-Za-z_-]{16,256}\s*", secret):  # a secret, as nbgrader writes
            if len(secret) <= 300:  # it reads no more than that
                assert secret_of(entry) == secret.strip().decode()
            return
        with pytest.raises(Refused):
            secret_of(entry)
