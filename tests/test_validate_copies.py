"""``nbgrader validate`` on a copy of a notebook outside its assignment's folder (as in
``submitted/``, without the public modules beside it) still finds them."""

import subprocess
import sys
from pathlib import Path

import pytest

from gradelab.grading.sample_submission import Sample, submission_notebook

BIN = Path(sys.executable).parent
ASSIGNMENT = "mse_gradient"


@pytest.mark.slow
def test_nbgrader_validate_passes_the_reference_copied_into_submitted(released):
    folder = released.submission_folder("alice", ASSIGNMENT)
    folder.mkdir(parents=True)
    notebook = folder / f"{ASSIGNMENT}.ipynb"
    notebook.write_text(
        submission_notebook(released, ASSIGNMENT, ASSIGNMENT, Sample("ref", None, ""))
    )
    assert not (folder / "checks.py").exists()
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(released.root)}
    done = subprocess.run(
        [str(BIN / "nbgrader"), "validate", str(notebook)],
        cwd=released.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    said = done.stdout + done.stderr
    assert "No module named" not in said
    assert "Success! Your notebook passes all the tests." in said, said[-2000:]
