"""The exchange's inbound folder is written by students: whatever an entry is called (any
bytes), it is taken or refused with a short printable reason under a safe key that leads back
to it; whatever its secret holds, the snapshot takes it or refuses it."""

from __future__ import annotations

import os
import re
import tempfile
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradelab.autograde.intake import Refused
from gradelab.course import Course
from gradelab.serve.inbox import Arrived, Unusable, entry_key, entry_name, read_name
from gradelab.serve.snapshot import QUIET_SECONDS, SECRET, Rules, take

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = {"mse_gradient"}
#: A file name: any bytes but "/" and NUL, at most 255 of them.
NAMES = st.binary(min_size=1, max_size=255).filter(
    lambda name: b"/" not in name and b"\x00" not in name and name not in (b".", b"..")
)
ANYONE = Rules(None, 10**6)


@pytest.fixture(scope="module")
def course() -> Course:
    return Course.load(REPO)


def safe_to_show(text: str) -> bool:
    """No control, line-breaking or direction-changing character, no lone surrogate."""
    return not any(
        unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")
        or "\u202a" <= c <= "\u202e"
        or "\u2066" <= c <= "\u2069"
        for c in text
    )


@settings(max_examples=300, deadline=None)
@given(name=NAMES)
def test_any_entry_name_has_a_printable_key_that_leads_back_to_it(course, name):
    key = entry_key(name)
    assert key.isascii() and key.isprintable() and safe_to_show(key)
    assert entry_name(key) == name
    entry = read_name(course, name, ASSIGNMENTS)
    if isinstance(entry, Unusable):
        assert entry.key == key and safe_to_show(entry.reason) and len(entry.reason) < 400
        return
    assert isinstance(entry, Arrived) and entry.assignment in ASSIGNMENTS
    assert course.valid_student_id(entry.student)
    assert name.startswith(f"{entry.student}+{entry.assignment}+".encode())


def test_a_name_that_is_not_utf8_is_unusable_under_an_escaped_key(course):
    entry = read_name(course, b"ann+mse_gradient+\xff+r", ASSIGNMENTS)
    assert isinstance(entry, Unusable) and entry.key == "ann+mse_gradient+%FF+r"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=st.binary(max_size=600))
def test_an_entry_is_taken_whatever_its_secret_holds_or_refused(secret):
    with tempfile.TemporaryDirectory() as root:
        inbound = Path(root) / "inbound"
        (inbound / "e").mkdir(parents=True)
        (inbound / "e" / "mse_gradient.ipynb").write_text("{}")
        (inbound / "e" / SECRET).write_bytes(secret)
        old = time.time() - 10 * QUIET_SECONDS
        os.utime(inbound / "e", (old, old))
        time.sleep(QUIET_SECONDS)
        target = Path(root) / "copy"
        if re.fullmatch(rb"\s*[0-9A-Za-z_-]{16,256}\s*", secret) and len(secret) <= 300:
            taken = take(inbound, b"e", ANYONE, target)
            assert taken.secret == secret.strip().decode()
            assert (target / SECRET).read_text() == taken.secret
            assert (target / "mse_gradient.ipynb").read_text() == "{}"
            return
        with pytest.raises(Refused) as refused:
            take(inbound, b"e", ANYONE, target)
        assert safe_to_show(str(refused.value))
        assert not (target / "mse_gradient.ipynb").exists()
