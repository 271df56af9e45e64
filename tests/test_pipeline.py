"""The grading pipeline's parts that stand in for nbgrader's: same results, one writer."""

import copy
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.preprocessors import CheckCellMetadata, OverwriteCells, OverwriteKernelspec

from gradelab import nbgrader_commands
from gradelab.grading.metadata_check import CheckCellMetadataOnce
from gradelab.grading.sample_submission import Sample
from gradelab.grading.source_snapshot import (
    OverwriteCellsFromSnapshot,
    OverwriteKernelspecFromSnapshot,
)
from gradelab.scores import assignment_scores
from gradelab.selftest import Verdict, scratch_course
from gradelab.selftest.samples import place_samples, samples
from gradelab.symbolic.memo import remembered


def release_notebook(course):
    return nbformat.read(course.release_notebook("mse_gradient", "mse_gradient"), as_version=4)


def nbgrader_cells(notebook):
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id")]


def tampered(notebook, how):
    """The release notebook changed the way a student (or a broken editor) might."""
    notebook = copy.deepcopy(notebook)
    cells = nbgrader_cells(notebook)
    test_cell = next(c for c in cells if c.metadata.nbgrader.get("grade"))
    if how == "edited locked cell":
        test_cell.source = "assert True"
    elif how == "more points":
        test_cell.metadata.nbgrader["points"] = 100
    elif how == "retyped cell":
        test_cell.cell_type = "markdown"
        del test_cell["outputs"], test_cell["execution_count"]
    elif how == "changed kernelspec":
        notebook.metadata["kernelspec"] = {"name": "evil", "display_name": "x", "language": "py"}
    elif how == "unknown grade id":
        test_cell.metadata.nbgrader["grade_id"] = "not_in_the_gradebook"
    elif how == "duplicate grade id":
        cells[1].metadata.nbgrader["grade_id"] = cells[0].metadata.nbgrader["grade_id"]
    elif how == "no points":
        del test_cell.metadata.nbgrader["points"]
    elif how == "old schema":
        test_cell.metadata.nbgrader["schema_version"] = 2
    elif how == "empty grade id":
        test_cell.metadata.nbgrader["grade_id"] = ""
    return notebook


def resources(course):
    return {
        "nbgrader": {
            "student": "someone",
            "assignment": "mse_gradient",
            "notebook": "mse_gradient",
            "db_url": course.db_url,
        }
    }


def outcome(step, notebook, course):
    """What a step makes of a notebook: the notebook it returns, or the error it raises."""
    try:
        return step(notebook, resources(course))[0]
    except Exception as error:  # noqa: BLE001 - the error is the outcome compared
        return (type(error), str(error))


CHANGES = [
    "none",
    "edited locked cell",
    "more points",
    "retyped cell",
    "changed kernelspec",
    "unknown grade id",
]


def sanitized(steps, notebook, course):
    """The notebook after nbgrader's two source-restoring steps, or the first error."""
    for step in steps:
        notebook = outcome(step(), copy.deepcopy(notebook), course)
        if isinstance(notebook, tuple):
            break
    return notebook


@pytest.mark.parametrize("how", CHANGES)
def test_the_snapshot_steps_sanitize_exactly_as_nbgrader_does(released_course, how):
    notebook = tampered(release_notebook(released_course), how)
    expected = sanitized([OverwriteKernelspec, OverwriteCells], notebook, released_course)
    got = sanitized(
        [OverwriteKernelspecFromSnapshot, OverwriteCellsFromSnapshot], notebook, released_course
    )
    assert got == expected
    assert (expected == notebook) == (how == "none")  # each change is one nbgrader undoes


@pytest.mark.parametrize(
    "how", ["none", "duplicate grade id", "no points", "old schema", "empty grade id"]
)
def test_the_compiled_metadata_check_accepts_and_refuses_as_nbgrader_does(released_course, how):
    notebook = tampered(release_notebook(released_course), how)
    expected = outcome(CheckCellMetadata(), copy.deepcopy(notebook), released_course)
    got = outcome(CheckCellMetadataOnce(), copy.deepcopy(notebook), released_course)
    assert type(got) is type(expected)
    if isinstance(expected, tuple):
        assert got[0] is expected[0]
    assert (how == "none") == (not isinstance(got, tuple))


def test_a_remembered_verdict_is_computed_once_and_handed_out_as_a_copy():
    calls = []

    @remembered
    def judge(answer: str, *, options: dict | None = None) -> dict:
        calls.append(answer)
        return {"answer": answer, "notes": []}

    first = judge("2*x", options={"tolerance": [1, 2]})
    first["notes"].append("changed by a caller")
    second = judge("2*x", options={"tolerance": [1, 2]})
    assert calls == ["2*x"]
    assert second == {"answer": "2*x", "notes": []}
    judge("2*x", options={"tolerance": [1, 3]})
    judge("2*x", options={"tolerance": {1, 2}})  # a set: no key, judged every time
    judge("2*x", options={"tolerance": {1, 2}})
    assert calls == ["2*x"] * 4


def forkserver_processes() -> set[str]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and b"gradelab.sandbox.forkserver" in (entry / "cmdline").read_bytes()
            ):
                found.add(entry.name)
        except OSError:
            pass
    return found


@pytest.mark.serial
def test_a_run_shows_progress_records_every_submission_and_leaves_no_process(course, gradelab):
    before = forkserver_processes()
    with scratch_course(course) as scratch:
        nbgrader_commands.release(scratch, "mse_gradient")
        copies = [Sample(f"student{i:02d}", None, "the reference") for i in range(10)]
        wrong = [s for s in samples(scratch, "mse_gradient") if s.student == "sign_flipped"]
        listed = place_samples(scratch, "mse_gradient", [*copies, *wrong])
        run = gradelab("autograde", "mse_gradient", "--workers=2", cwd=scratch.root)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "11/11" in run.stderr and "failed=0" in run.stderr
        assert "graded 11, already graded 0, not gradable 0, failed 0" in run.stdout
        scores = assignment_scores(scratch, "mse_gradient")
        verdicts = [Verdict(sample, scores.get(sample.student)) for sample in listed]
        assert [v.sample.student for v in verdicts if not v.ok] == []
        assert scores["sign_flipped"].score < scores["sign_flipped"].max_score
    deadline = time.monotonic() + 5  # the fork server ends once the socket is closed
    while not forkserver_processes() <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert forkserver_processes() <= before


def test_a_broken_hidden_suite_stops_the_run_with_the_file_named(course, gradelab):
    with scratch_course(course) as scratch:
        nbgrader_commands.release(scratch, "mse_gradient")
        place_samples(scratch, "mse_gradient", [Sample("alice", None, "the reference")])
        broken = scratch.hidden_suite("mse_gradient") / "test_broken.py"
        broken.write_text("def test_oops(:\n    pass\n")
        run = gradelab("autograde", "mse_gradient", cwd=scratch.root)
        assert run.returncode == 1, run.stdout + run.stderr
        assert "1 submission waiting" in run.stdout
        assert "grading stopped before any student: " in run.stdout
        assert "test_broken.py" in run.stdout
        assert "nothing was changed" in run.stdout
        assert not (scratch.root / "autograded" / "alice" / "mse_gradient").exists()
