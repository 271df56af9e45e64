"""Every log line of ``gradelab serve`` is one line of text, whatever a student named: their
text reaches the log escaped, never as terminal commands or as a forged line."""

import io
import logging
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from gradelab import logs

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def logged(*args: object, error: BaseException | None = None) -> str:
    stream = io.StringIO()
    handler = logs.escaping_handler(stream)
    logging.getLogger().addHandler(handler)
    log = logging.getLogger("gradelab.serve")
    log.setLevel(logging.INFO)
    try:
        if error is None:
            log.info(*args)
        else:
            try:
                raise error
            except type(error):
                log.exception(*args)
    finally:
        logging.getLogger().removeHandler(handler)
    return stream.getvalue()


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=200), reason=st.text(max_size=200))
def test_any_name_and_reason_make_one_escaped_line(name, reason):
    text = logged("refused %s: %s", name, reason)
    assert text.endswith("\n") and not CONTROL.search(text[:-1]), repr(text)


@settings(max_examples=50, deadline=None)
@given(message=st.text(max_size=100))
def test_a_traceback_keeps_its_lines_and_escapes_each(message):
    text = logged("grading %s failed", "alice+a+\x1b[2J", error=ValueError(message))
    lines = text.rstrip("\n").split("\n")
    assert lines[0].endswith("grading alice+a+\\x1b[2J failed")
    assert lines[1] == "Traceback (most recent call last):"
    assert not any(CONTROL.search(line) for line in lines)
