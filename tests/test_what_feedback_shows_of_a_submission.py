"""What a submission's own objects can put in its feedback: the name of an exception class
it made (never; only Python's own names or fixed words), the place it names (only a cell the
grader sent and a line of it), and a complex number passed off as a real one (never
accepted)."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradelab.grading.grade_notebook import cell_errors_as_notes
from gradelab.sandbox.exception_names import KNOWN_NAMES, OWN_CLASS
from gradelab.sandbox.limits import Isolation, Limits
from gradelab.sandbox.session import Session, StudentRaised, cell_reports
from gradelab.testing import expect_close, expect_pair_of_numbers

NAMED_AFTER_INPUT = """
def compute(x):
    name = "W" + repr(float(x)).replace(".", "p").replace("-", "m") + "_leak"
    raise type(name, (Exception,), {})("the message")

def divide(x):
    return x / 0
"""


def test_an_exception_class_named_after_the_hidden_input_does_not_reach_the_feedback():
    with Session(Isolation.for_assignment(None), Limits(), False) as session:
        session.start([("answers", NAMED_AFTER_INPUT)])
        with pytest.raises(StudentRaised) as raised:
            session.call("compute", 0.377587)
        with pytest.raises(StudentRaised) as builtin:
            session.call("divide", 2)
    assert "377587" not in raised.value.feedback and "leak" not in raised.value.feedback
    assert raised.value.feedback == f"compute raised {OWN_CLASS} (cell 'answers', line 3)"
    assert builtin.value.feedback == "divide raised ZeroDivisionError (cell 'answers', line 6)"


CODE = [("answers", "a = 1\nb = 2\nc = 3"), ("plots", "d = 4")]
SHOWN_NAMES = "|".join(sorted(map(re.escape, KNOWN_NAMES | {OWN_CLASS})))
FEEDBACK = re.compile(
    rf"compute raised ({SHOWN_NAMES})( \(cell '(answers|plots)', line [1-3]\))?"
    r"( - it is not written yet)?"
)
NOTE = re.compile(
    rf"cell '(answers|plots)' raised ({SHOWN_NAMES})( at line [1-3])? when it was run"
)
ANYTHING = st.one_of(st.text(max_size=300), st.integers(), st.none(), st.booleans(), st.floats())


@settings(max_examples=300, deadline=None)
@given(
    name=st.one_of(st.sampled_from(sorted(KNOWN_NAMES)), ANYTHING),
    cell=st.one_of(st.sampled_from(["answers", "plots", "answers ", "other"]), ANYTHING),
    line=st.one_of(st.integers(-3, 6), ANYTHING),
)
def test_any_reported_exception_shows_only_a_known_name_and_a_real_place(name, cell, line):
    error = {"type": name, "cell": cell, "line": line}
    feedback = StudentRaised("compute", error, CODE).feedback
    shown = FEEDBACK.fullmatch(feedback)
    assert shown, feedback
    assert shown.group(1) == (name if isinstance(name, str) and name in KNOWN_NAMES else OWN_CLASS)
    reports = cell_reports({"cells": [{"error": error}, {"error": None}]}, CODE)
    notes = cell_errors_as_notes(reports)
    assert len(notes) == 1 and NOTE.fullmatch(notes[0]), notes


FINITE = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    expected=hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4), elements=FINITE),
    imaginary=FINITE,
)
def test_a_complex_value_never_passes_a_real_comparison(expected, imaginary):
    value = expected + 1j * imaginary
    with pytest.raises(AssertionError, match="complex numbers"):
        expect_close(value, expected, "compute")
    with pytest.raises(AssertionError, match="complex numbers"):
        expect_close(value.tolist(), expected, "compute")
    expect_close(expected.copy(), expected, "compute")


def test_a_pair_with_a_complex_entry_is_not_a_pair_of_numbers():
    with pytest.raises(AssertionError, match="complex numbers"):
        expect_pair_of_numbers((1.0, 2.0 + 0.5j), "compute_gradient_wb")
