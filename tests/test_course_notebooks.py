"""The course's five notebooks as students see them: they run clean in a real
kernel with every public check passing, and their text states no number that is not a
definition (results are computed by code, never typed into markdown)."""

import re

import nbformat
import pytest
from nbclient import NotebookClient

from gradelab.grading.grade_notebook import is_test_cell, nbgrader_meta

ASSIGNMENTS = ("gradients", "mse_gradient", "update_step", "learning_rate", "sgd_logistic")
DEFINITION_NUMBERS = {"0", "1", "2"}  # as in 1/n, 2/n, x^2, labels 0 and 1, row 0
MORE_DEFINITIONS = {"gradients": {"4"}}  # the stretched bowl f(x, y) = x^2 + 4y^2
ORDINAL = re.compile(r"^\s*(?:#+\s+)?\d+\.\s", re.MULTILINE)  # "## 3. Title", "2. a rule"
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")  # not inside names such as w_3 or new_beta0


def source_notebook(course, assignment):
    return nbformat.read(course.source_notebooks(assignment)[0], as_version=4)


def numbers_in(markdown: str) -> set[str]:
    return set(NUMBER.findall(ORDINAL.sub("", markdown)))


def test_the_number_finder_sees_typed_results_but_not_names_or_ordinals():
    assert numbers_in("## 3. Fit\n4. Score = 40.6 + 7.4 hours") == {"40.6", "7.4"}
    assert numbers_in(r"$\frac{2}{n}$, `new_beta0`, $w_3$, row $0$") == {"2", "0"}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_markdown_states_only_definition_numbers(course, assignment):
    for cell in source_notebook(course, assignment).cells:
        if cell.cell_type == "markdown":
            allowed = DEFINITION_NUMBERS | MORE_DEFINITIONS.get(assignment, set())
            typed = numbers_in(cell.source) - allowed
            assert not typed, f"{nbgrader_meta(cell)['grade_id']}: typed numbers {typed}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_cell_is_an_nbgrader_cell_and_markdown_is_locked_or_a_written_answer(
    course, assignment
):
    for cell in source_notebook(course, assignment).cells:
        meta = nbgrader_meta(cell)
        assert meta.get("schema_version") == 3 and meta.get("grade_id")
        assert meta["locked"] or meta["solution"], meta["grade_id"]
        if cell.cell_type == "markdown":  # locked, or a written answer graded by hand
            written_answer = meta["solution"] and meta["grade"] and not meta["locked"]
            assert written_answer or (meta["locked"] and not meta["solution"]), meta["grade_id"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_source_notebook_runs_clean_with_its_solutions(course, assignment):
    notebook = source_notebook(course, assignment)
    folder = {"metadata": {"path": str(course.source_folder(assignment))}}  # as Jupyter runs it
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources=folder).execute()
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "warnings were printed"
    for cell in filter(is_test_cell, notebook.cells):
        printed = "".join(output.get("text", "") for output in cell.outputs)
        assert "All public checks passed" in printed, nbgrader_meta(cell)["grade_id"]
