"""The course's own files as the tests use them: an assignment's public module and reference,
imported by name as its notebook and hidden tests import them."""

import importlib
from pathlib import Path
from types import ModuleType

from gradelab.grading.plugin import load_reference
from gradelab.grading.public_modules import public_modules

REPO = Path(__file__).resolve().parents[1]


def public_module(assignment: str, name: str = "checks") -> ModuleType:
    """``source/<assignment>/<name>.py``, imported as the notebook imports it."""
    with public_modules(REPO / "source" / assignment):
        return importlib.import_module(name)


def reference_solution(assignment: str) -> ModuleType:
    """``solutions/<assignment>.py``, with the assignment's public modules importable."""
    with public_modules(REPO / "source" / assignment):
        return load_reference(REPO / "solutions" / f"{assignment}.py")
