"""CSV files out of the gradebook open safely in a spreadsheet: whatever a name or an id
holds, each row stays one row and no cell is run as a formula."""

import csv

from hypothesis import given, settings
from hypothesis import strategies as st

from gradelab.exports.spreadsheet import FORMULA_STARTS, safe_cell, write_csv

cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(['=HYPERLINK("http://evil.example","x")', "+1+1", "-2", "@SUM(A1)",
                     "\t=1", "a,b\nc", '"quoted"', "=cmd|' /C calc'!A0"]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(),
)  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=8))
def test_every_row_reads_back_as_one_row_with_no_formula(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("csv") / "grades.csv"
    assert write_csv(path, ["student_id", "name", "score"], rows) == len(rows)
    with path.open(newline="", encoding="utf-8") as file:
        read = list(csv.reader(file))
    assert len(read) == len(rows) + 1
    for written, row in zip(rows, read[1:], strict=True):
        assert len(row) == 3
        for value, cell in zip(written, row, strict=True):
            if isinstance(value, str):
                assert not cell.startswith(FORMULA_STARTS)
                assert cell.removeprefix("'") == value


def test_numbers_stay_numbers():
    assert safe_cell(-2.5) == "-2.5" and safe_cell(3) == "3" and safe_cell("-2.5") == "'-2.5"
