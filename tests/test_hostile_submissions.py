"""Hostile and broken submissions, graded in one batch through the real pipeline.

Wrong answers score 0 whatever the trick; a crash or a limit scores 0 with a plain reason;
broken files are refused with a reason; every other submission of the batch is graded
normally; no process of a submission outlives grading; the gradebook stays intact.
"""

import hashlib
import json
import os
import socket
import sqlite3
import tomllib
from pathlib import Path

import nbformat
import pytest

from gradelab import nbgrader_commands
from gradelab.autograde.run import autograde
from gradelab.course import Course
from gradelab.grading.sample_submission import Sample, submission_notebook
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import listed_samples, place_samples, samples

HERE = Path(__file__).resolve().parent
#: Folder names that are no student id: a CSV row forged by a comma, a spreadsheet formula,
#: terminal escape sequences.
BAD_IDS = ("mallory,100,100", '=HYPERLINK("evil.example")', "eve\x1b[2J\x1b]0;pwned\x07")
LISTING = HERE / "hostile" / "submissions.toml"
REPO = HERE.parent
#: The batch counts the sandbox user's processes before and after: nothing else may run.
pytestmark = pytest.mark.serial


def reference_notebook(course: Course) -> nbformat.NotebookNode:
    reference = next(s for s in samples(course, "mse_gradient") if s.student == "reference")
    return nbformat.reads(submission_notebook(course, "mse_gradient", "mse_gradient", reference), 4)


def cell(notebook, grade_id):
    return next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def broken_files(course: Course) -> dict[str, tuple[float, str]]:
    """Write the broken submissions; return what each must score and say."""

    def folder(student):
        path = course.submission_folder(student, "mse_gradient")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def write(student, notebook=None, raw=None):
        target = folder(student) / "mse_gradient.ipynb"
        if raw is None:
            raw = nbformat.writes(notebook).encode()
        target.write_bytes(raw)

    write("invalid_json", raw=b'{"cells": [')
    write("old_format", raw=json.dumps(nbformat.convert(reference_notebook(course), 3)).encode())
    notebook = reference_notebook(course)
    notebook.cells.remove(cell(notebook, "test_compute_gradient"))
    write("missing_grade_cell", notebook)
    notebook = reference_notebook(course)
    duplicate = nbformat.from_dict(json.loads(json.dumps(cell(notebook, "test_compute_gradient"))))
    duplicate["id"] = "duplicate"
    notebook.cells.append(duplicate)
    write("duplicated_grade_cell", notebook)
    notebook = reference_notebook(course)
    retyped = cell(notebook, "test_compute_gradient")
    retyped.cell_type = "markdown"
    del retyped["outputs"], retyped["execution_count"]
    write("retyped_grade_cell", notebook)
    notebook = reference_notebook(course)
    cell(notebook, "test_compute_gradient").source = "print(6)"
    cell(notebook, "compute_gradient").source = "def compute_gradient(X, y, w):\n    return 0"
    write("edited_locked_cell", notebook)
    notebook = reference_notebook(course)
    notebook.metadata.kernelspec = {"name": "bash", "display_name": "Bash", "language": "bash"}
    write("changed_kernelspec", notebook)
    folder("empty_folder")
    (folder("missing_notebook") / "answers.txt").write_text("see attached")
    raw = nbformat.writes(reference_notebook(course)).encode()
    write("non_utf8", raw=raw.replace(b"compute_gradient", b"compute_\xffgradient", 1))
    os.symlink(
        course.reference_solution("mse_gradient"), folder("symlink_outside") / "mse_gradient.ipynb"
    )
    os.symlink(
        course.submission_folder("reference", "mse_gradient") / "mse_gradient.ipynb",
        folder("symlink_to_other_student") / "mse_gradient.ipynb",
    )
    write("bad_timestamp", reference_notebook(course))
    (folder("bad_timestamp") / "timestamp.txt").write_text("9999-12-31 23:59:59.999999-12:00")
    write("fifo_timestamp", reference_notebook(course))
    os.mkfifo(folder("fifo_timestamp") / "timestamp.txt")
    deep = json.loads(nbformat.writes(reference_notebook(course)))
    deep["metadata"]["deep"] = "DEEP"
    write("deep_metadata", raw=json.dumps(deep).replace('"DEEP"', "[" * 600 + "]" * 600).encode())
    write("sparse_extra_file", reference_notebook(course))
    with (folder("sparse_extra_file") / "data.bin").open("wb") as extra:
        extra.truncate(300 * 1024 * 1024)
    for name in BAD_IDS:
        write(name, reference_notebook(course))
    notebook = reference_notebook(course)
    cell(notebook, "compute_gradient").metadata.nbgrader["bogus"] = 1
    write("unknown_nbgrader_key", notebook)
    return {
        "bad_timestamp": (0, "timestamp.txt"),
        "fifo_timestamp": (0, "not a regular file"),
        "deep_metadata": (0, "nested"),
        "sparse_extra_file": (22, ""),
        "unknown_nbgrader_key": (0, "could not be prepared for grading"),
        "invalid_json": (0, "not valid JSON"),
        "old_format": (0, "not a version 4 notebook"),
        "missing_grade_cell": (22, ""),
        "duplicated_grade_cell": (0, "appears 2 times"),
        "retyped_grade_cell": (22, ""),
        "edited_locked_cell": (16, "returned a int"),
        "changed_kernelspec": (22, ""),
        "empty_folder": (0, "no notebook named mse_gradient.ipynb"),
        "missing_notebook": (0, "no notebook named mse_gradient.ipynb"),
        "non_utf8": (0, "not UTF-8"),
        "symlink_outside": (0, "symbolic link"),
        "symlink_to_other_student": (0, "symbolic link"),
    }


def hostile_samples(course: Course, port: int) -> list[Sample]:
    listed = []
    for sample in listed_samples(LISTING):
        cells = {
            name: code.replace("COURSE", str(course.root))
            .replace("REPO", str(REPO))
            .replace("PORT", str(port))
            for name, code in sample.cells.items()
        }
        listed.append(Sample(sample.student, sample.expected, sample.why, cells))
    return listed


def feedback_text(course: Course, student: str) -> str:
    path = course.root / "autograded" / student / "mse_gradient" / "mse_gradient.ipynb"
    if not path.exists():
        return ""
    notebook = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file() and not path.is_symlink():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def batch(course, sandbox_processes):
    """One autograde run over the reference, the blank, every hostile and broken submission."""
    listener = socket.create_server(("127.0.0.1", 0))
    with scratch_course(course) as scratch:
        config = scratch.root / "nbgrader_config.py"
        config.write_text(config.read_text() + "\nc.GradeInSandbox.wall_seconds = 6.0\n")
        nbgrader_commands.release(scratch, "mse_gradient")
        hostile = hostile_samples(scratch, listener.getsockname()[1])
        place_samples(scratch, "mse_gradient", samples(scratch, "mse_gradient")[:2] + hostile)
        broken = broken_files(scratch)
        before = sandbox_processes()
        submitted = digest(scratch.root / "submitted")
        run = autograde(scratch, "mse_gradient", force=False, weak=False)
        expected = {s.student: (s.expected, getattr(s, "says", "")) for s in hostile}
        says = {w["name"]: w["says"] for w in tomllib.loads(LISTING.read_text())["wrong"]}
        expected = {name: (score, says[name]) for name, (score, _) in expected.items()}
        expected.update(broken)
        expected["reference"] = (22, "")
        expected["blank"] = (0, "not written yet")
        yield {
            "course": scratch,
            "run": run,
            "scores": assignment_scores(scratch, "mse_gradient"),
            "expected": expected,
            "processes_before": before,
            "submitted_digest": submitted,
        }
    listener.close()


def test_every_submission_of_the_batch_gets_its_expected_score_and_reason(batch):
    wrong = []
    for student, (score, says) in sorted(batch["expected"].items()):
        got = batch["scores"].get(student)
        text = (got.not_graded or "") + feedback_text(batch["course"], student) if got else ""
        if got is None or got.score != score or says not in text:
            wrong.append((student, score, says, got and got.score, text[:300]))
    assert wrong == [], "\n".join(map(repr, wrong))


def test_refused_files_are_named_with_their_reason(batch):
    refused = batch["run"].refused
    assert all("is not a valid student id" in refused[name] for name in BAD_IDS)
    assert set(refused) - set(BAD_IDS) == {
        "unknown_nbgrader_key",
        "bad_timestamp",
        "fifo_timestamp",
        "deep_metadata",
        "invalid_json",
        "old_format",
        "duplicated_grade_cell",
        "empty_folder",
        "missing_notebook",
        "non_utf8",
        "symlink_outside",
        "symlink_to_other_student",
    }


def test_nothing_a_submission_started_is_still_running(batch, sandbox_processes):
    assert sandbox_processes() - batch["processes_before"] == set()


def test_the_course_folder_holds_nothing_written_by_a_submission(batch):
    root = batch["course"].root
    planted = [p for p in root.rglob("pwned*")]
    assert planted == []


def test_the_gradebook_is_intact_and_submissions_are_untouched(batch):
    course = batch["course"]
    database = course.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute(
            "SELECT COUNT(*) FROM grade WHERE manual_score = 100"
        ).fetchone() == (0,)
    assert digest(course.root / "submitted") == batch["submitted_digest"]


def test_regrading_the_same_files_gives_the_same_scores(batch):
    course = batch["course"]
    again = {}
    for student in ("reference", "nan_and_inf", "invalid_json"):
        autograde(course, "mse_gradient", student, force=True, weak=False)
        again[student] = assignment_scores(course, "mse_gradient")[student].score
    assert again == {s: batch["scores"][s].score for s in again}


def test_what_one_submission_says_is_cut_before_it_reaches_any_file(batch):
    course = batch["course"]
    folder = course.autograded_folder("huge_exception_name", "mse_gradient")
    assert (folder / "mse_gradient.ipynb").stat().st_size < 200_000
    assert "E" * 200 not in (folder / "mse_gradient.ipynb").read_text()


def test_only_regular_files_under_nbgrader_size_limit_are_copied(batch):
    course = batch["course"]
    assert (
        course.autograded_folder("sparse_extra_file", "mse_gradient") / "mse_gradient.ipynb"
    ).exists()
    assert not (course.autograded_folder("sparse_extra_file", "mse_gradient") / "data.bin").exists()


def test_no_host_folder_holds_what_a_submission_wrote(batch):
    planted = [
        Path(folder) / "pwned-by-a-submission"
        for folder in ("/run/lock", "/var/tmp", "/dev/shm", "/var/lock")
    ]
    assert [p for p in planted if p.exists()] == []


def test_bad_ids_are_refused_without_reaching_the_gradebook_or_the_csv(batch):
    course = batch["course"]
    assert not set(BAD_IDS) & set(batch["scores"])
    from gradelab.exports.grades import export_grades

    export_grades(course, course.root / "gradebook" / "grades.csv")
    text = (course.root / "gradebook" / "grades.csv").read_text()
    assert "mallory" not in text and "HYPERLINK" not in text and "\x1b" not in text


def test_the_terminal_gets_no_control_character_a_submission_chose(batch, gradelab):
    run = gradelab("autograde", "mse_gradient", cwd=batch["course"].root)
    printed = run.stdout + run.stderr
    assert "eve\\x1b[2J" in printed and "\x1b[2J" not in printed and "\x07" not in printed
    assert "mallory,100,100: 'mallory,100,100' is not a valid student id" in printed
