"""What students run: the source notebook in a real Jupyter kernel, and the public checks."""

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from gradelab.student.checks import CheckFailed, check_compute_gradient, check_compute_gradient_wb


def test_the_source_notebook_runs_clean_with_its_solutions(course):
    path = course.source_notebooks("mse_gradient")[0]
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    printed = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert printed.count("All public checks passed") == 2


def reference_gradient(X, y, w):
    return 2 / len(y) * X.T @ (X @ w - y)


def test_public_checks_pass_the_right_gradient(capsys):
    check_compute_gradient(reference_gradient)
    check_compute_gradient_wb(
        lambda x, y, w, b: reference_gradient(
            np.column_stack([x, np.ones_like(x)]), y, np.array([w, b])
        ).tolist()
    )
    assert "All public checks passed" in capsys.readouterr().out


def test_public_checks_name_a_flipped_sign(capsys):
    with pytest.raises(CheckFailed):
        check_compute_gradient(lambda X, y, w: -reference_gradient(X, y, w))
    assert "opposite sign" in capsys.readouterr().out


def test_public_checks_catch_a_list_and_a_wrong_pair():
    with pytest.raises(CheckFailed, match="numpy array"):
        check_compute_gradient(lambda X, y, w: list(reference_gradient(X, y, w)))
    with pytest.raises(CheckFailed, match="finite differences"):
        check_compute_gradient_wb(lambda x, y, w, b: (0.0, 0.0))
