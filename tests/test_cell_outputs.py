"""A cell's outputs as Jupyter shows them, kept within bounds that never change its score:
its last value, whether it wrote to stderr, and its error."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from gradelab.grading.nbgrader_mode import output_node
from gradelab.sandbox import cell_outputs
from gradelab.sandbox.cell_outputs import Budget, run_cell


def outputs(*sources: str, budget: Budget | None = None) -> list[list[list[str]]]:
    namespace: dict = {}
    budget = budget or Budget()
    shown_per_cell = []
    for number, source in enumerate(sources):
        shown: list = []
        try:
            run_cell(source, f"c{number}", namespace, shown, budget)
        except BaseException as error:  # noqa: BLE001 - as the jail catches it
            shown.append(cell_outputs.error_output(error, budget))
        shown_per_cell.append(shown)
    return shown_per_cell


def test_printed_text_the_last_value_and_errors_are_shown_as_ipython_shows_them():
    shown = outputs(
        "x = 2\nprint('a'); print('b')\nx / 4",
        "x;",
        "None",
        "1 / 0",
        "import sys\nprint('w', file=sys.stderr)",
    )
    assert shown[0] == [["stdout", "a\nb\n"], ["result", "0.5"]]
    assert shown[1] == [] and shown[2] == []
    assert shown[3][0][:3] == ["error", "ZeroDivisionError", "division by zero"]
    assert shown[3][0][3] == "cell 'c3', line 1"
    assert shown[4] == [["stderr", "w\n"]]


def test_a_spent_budget_keeps_the_value_and_the_stderr_output_that_decide_a_score(monkeypatch):
    monkeypatch.setattr(cell_outputs, "TOTAL_CHARS", 10)
    shown = outputs("print('x' * 100)", "import sys\nsys.stderr.write('warn')\n0", budget=Budget())
    assert shown[0] == [["stdout", "x" * 10]]
    assert shown[1] == [["stderr", ""], ["result", "0"]]


def test_switching_streams_is_bounded():
    source = "import sys\nfor _ in range(300):\n    print(1)\n    print(2, file=sys.stderr)"
    kinds = [item[0] for item in outputs(source)[0]]
    assert len(kinds) == cell_outputs.MAX_OUTPUTS and kinds[:2] == ["stdout", "stderr"]


@pytest.mark.parametrize("source", ["exit()", "raise SystemExit(3)"])
def test_an_exit_is_an_error_of_the_cell(source):
    shown = outputs(source)
    assert shown[0][0][1] == "SystemExit"


def test_a_lone_surrogate_a_cell_printed_cannot_stop_the_notebook_being_written():
    node = output_node(["stdout", "a\udc80b"], 1)
    assert node.text == "a?b"
    notebook = new_notebook(cells=[new_code_cell("print(x)", outputs=[node])])
    assert "a?b" in nbformat.writes(notebook)
