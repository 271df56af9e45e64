"""Screening reads every byte of a submission defensively: any timestamp text, any bytes as a
notebook, any nesting, any file type is either accepted or refused with a reason, at once;
nothing raises, nothing blocks, nothing recurses out of bounds."""

import json
import os
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradelab.autograde.intake import (
    MAX_JSON_DEPTH,
    Refused,
    check_entries,
    notebook_problem,
    submission_timestamp,
)

FAST = settings(max_examples=300, deadline=None, derandomize=True)
timestamps = st.one_of(
    st.text(max_size=60),
    st.integers(-(10**30), 10**30).map(str),
    st.datetimes().map(str),
    st.tuples(st.datetimes(), st.integers(-48, 48)).map(
        lambda t: f"{t[0].isoformat()}{t[1]:+03d}:00"
    ),
    st.sampled_from(
        ["9999-12-31 23:59:59-12:00", "0001-01-01 00:00:00+14:00", "99999999999999999999",
         "2024-02-30", "1e308", "nan", "2024-01-01T00:00:00.123456789012345Z"]
    ),
)  # fmt: skip


@FAST
@given(timestamps)
def test_any_timestamp_text_is_read_or_refused(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("submission")
    (folder / "timestamp.txt").write_text(text, errors="surrogateescape")
    try:
        when = submission_timestamp(folder)
    except Refused as refused:
        assert "timestamp.txt" in str(refused)
    else:
        assert when is None or 1970 <= when.year <= 9998


def test_a_timestamp_that_is_a_named_pipe_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "timestamp.txt")
    started = time.monotonic()
    with pytest.raises(Refused, match="not a regular file"):
        submission_timestamp(tmp_path)
    assert time.monotonic() - started < 1


def test_special_files_anywhere_in_a_submission_are_refused(tmp_path):
    (tmp_path / "data").mkdir()
    os.mkfifo(tmp_path / "data" / "pipe")
    with pytest.raises(Refused, match="pipe is not a regular file"):
        check_entries(tmp_path)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 3000), st.sampled_from(["metadata", "cell", "output"]))
def test_notebooks_nested_at_any_depth_are_screened_without_recursion(
    tmp_path_factory, depth, where
):
    deep = "DEEP"  # replaced below by JSON nested ``depth`` levels, written as text
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    cell = {"cell_type": "code", "id": "c", "metadata": {}, "source": "", "outputs": [],
            "execution_count": None}  # fmt: skip
    if where == "metadata":
        notebook["metadata"]["deep"] = deep
    elif where == "cell":
        cell["metadata"]["deep"] = deep
        notebook["cells"].append(cell)
    else:
        cell["outputs"] = [{"output_type": "display_data", "metadata": {},
                            "data": {"application/json": {"deep": deep}}}]  # fmt: skip
        notebook["cells"].append(cell)
    path = tmp_path_factory.mktemp("deep") / "a.ipynb"
    path.write_text(json.dumps(notebook).replace('"DEEP"', "[" * depth + "1" + "]" * depth))
    problem = notebook_problem(path)
    if depth > MAX_JSON_DEPTH:
        assert problem is not None and "nested" in problem


@FAST
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_notebook_are_accepted_or_refused_with_a_reason(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("bytes") / "a.ipynb"
    path.write_bytes(raw)
    problem = notebook_problem(path)
    assert problem is None or problem.startswith("a.ipynb")


def test_a_notebook_that_is_a_named_pipe_does_not_block_screening(tmp_path):
    os.mkfifo(tmp_path / "a.ipynb")
    result: list[str | None] = []
    reader = threading.Thread(target=lambda: result.append(notebook_problem(tmp_path / "a.ipynb")))
    reader.start()
    reader.join(2)
    assert result and "not a regular file" in str(result[0])


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = Path(tmp_path / "a.ipynb")
    with path.open("wb") as file:
        file.truncate(300 * 1024 * 1024)  # sparse: 300 MB on paper, nothing on disk
    assert "larger than" in notebook_problem(path)


def test_folders_nested_too_deep_or_with_names_too_long_are_refused(tmp_path):
    folder = tmp_path / "submission"
    deep = folder
    for _ in range(20):
        deep = deep / ("d" * 200)
        try:
            deep.mkdir(parents=True)
        except OSError:
            break
    with pytest.raises(Refused, match="nested|cannot be read"):
        check_entries(folder)


def notebook_text(cell_metadata: dict, source: str = "x = 1") -> str:
    cell = {"cell_type": "code", "id": "c", "metadata": cell_metadata, "source": source,
            "outputs": [], "execution_count": None}  # fmt: skip
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})


def test_text_that_is_not_valid_unicode_is_refused(tmp_path):
    path = tmp_path / "a.ipynb"
    path.write_text(notebook_text({}, source="x = '\\ud800'").replace("\\\\ud800", "\\ud800"))
    assert "not valid Unicode" in notebook_problem(path)
