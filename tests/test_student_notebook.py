"""What students run: the public checks of mse_gradient, right and wrong answers."""

import numpy as np
import pytest
import sympy
from course_files import public_module

from gradelab.student import CheckFailed, finite_difference_gradient

checks = public_module("mse_gradient")
COST, PARAMETERS = checks.COST, checks.PARAMETERS
check_compute_gradient = checks.check_compute_gradient
check_compute_gradient_wb = checks.check_compute_gradient_wb
check_numerical_gradient = checks.check_numerical_gradient
check_sympy_derivatives = checks.check_sympy_derivatives
check_typed_derivatives = checks.check_typed_derivatives


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


DJ_DW = "2/n*sum((w x_i + b - y_i) x_i, i)"
DJ_DB = "2/n*sum(w x_i + b - y_i, i)"


def test_public_symbolic_checks_pass_the_derivatives(capsys):
    check_sympy_derivatives(sympy.diff(COST, PARAMETERS["w"]), sympy.diff(COST, PARAMETERS["b"]))
    check_typed_derivatives(DJ_DW, DJ_DB)
    assert capsys.readouterr().out.count("All public checks passed") == 2


def test_public_symbolic_checks_name_a_mistake_and_want_the_right_type(capsys):
    with pytest.raises(CheckFailed, match="dJ_dw_typed equals dJ/dw"):
        check_typed_derivatives("-" + DJ_DW, DJ_DB)
    assert "sign is flipped" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="dJ_dw is a sympy expression"):
        check_sympy_derivatives(DJ_DW, sympy.diff(COST, PARAMETERS["b"]))


def central(f, w, eps):
    return finite_difference_gradient(f, np.asarray(w, dtype=float), eps)


def forward(f, w, eps):
    w = np.asarray(w, dtype=float)
    return np.array([(f(w + eps * e) - f(w)) / eps for e in np.eye(len(w))])


def moves_w(f, w, eps):
    w[0] += eps
    return central(f, w, eps)


def test_public_check_of_numerical_gradient(capsys):
    check_numerical_gradient(central)
    assert "All public checks passed" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="exact gradient"):
        check_numerical_gradient(forward)
    with pytest.raises(CheckFailed, match="leaves w unchanged"):
        check_numerical_gradient(moves_w)
