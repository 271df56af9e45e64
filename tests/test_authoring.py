"""An instructor adds assignments without touching gradelab/: a new one from the scaffold, a
copy of one under another name, and the author's own mistakes said loudly, never costing a
student a point."""

import re
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest

from gradelab import nbgrader_commands
from gradelab.grading.sample_submission import Sample
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import place_samples, samples

REPO = Path(__file__).resolve().parents[1]
COURSE_ASSIGNMENTS = (
    "gradients",
    "mse_gradient",
    "update_step",
    "learning_rate",
    "sgd_logistic",
    "derivatives_quiz",
    "update_rule_quiz",
    "tangent_quiz",
)


def test_the_platform_holds_no_assignment_of_the_course():
    words = [*COURSE_ASSIGNMENTS, "STUDY_HOURS", "HOUSE_PRICES", "stretched_bowl", "exam_data"]
    pattern = re.compile(r"\b(" + "|".join(words) + r")\b")
    for path in (REPO / "gradelab").rglob("*"):
        if path.is_file() and path.suffix in (".py", ".toml", ".md", ".html", ".txt"):
            found = pattern.findall(path.read_text())
            assert not found, f"{path.relative_to(REPO)} names {found}"


@pytest.fixture
def scratch(course):
    with scratch_course(course) as copy:
        yield copy


def rows(output: str) -> dict[str, list[str]]:
    """The selftest table by submission: [score, expected, result, ...why]."""
    found = {}
    for line in output.splitlines():
        words = line.split()
        table_row = line.startswith("  ") and not line.startswith("   ")
        if table_row and len(words) >= 4 and words[0] not in ("submission", "quiz:"):
            found[words[0]] = words[1:]
    return found


def test_a_new_assignment_from_the_scaffold_releases_and_passes_its_selftest(scratch, gradelab):
    made = gradelab("new", "demo_question", cwd=scratch.root)
    assert made.returncode == 0, made.stderr
    notebook = nbformat.read(scratch.source_notebooks("demo_question")[0], as_version=4)
    kinds = {cell.metadata["nbgrader"]["grade_id"] for cell in notebook.cells}
    assert {"gradient", "derivative_answer", "concept_answers"} <= kinds
    assert gradelab("release", "demo_question", cwd=scratch.root).returncode == 0
    assert (scratch.release_folder("demo_question") / "checks.py").is_file()
    test = gradelab("selftest", "demo_question", cwd=scratch.root)
    assert test.returncode == 0, test.stdout + test.stderr
    assert "Warning" not in test.stderr, test.stderr  # nbformat's MissingIDFieldWarning, say
    table = rows(test.stdout.split("demo_question\n", 1)[1])
    assert set(table) == {"reference", "blank", "sign_flipped", "power_kept", "wrong_direction"}
    assert all(row[2] == "ok" for row in table.values())
    again = gradelab("new", "demo_question", cwd=scratch.root)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_an_assignment_copied_under_a_new_name_grades_with_no_other_edit(scratch, gradelab):
    root = scratch.root
    shutil.copytree(root / "source" / "gradients", root / "source" / "slopes")
    (root / "source" / "slopes" / "gradients.ipynb").rename(root / "source/slopes/slopes.ipynb")
    shutil.copytree(root / "autograder" / "gradients", root / "autograder" / "slopes")
    shutil.copy2(root / "solutions" / "gradients.py", root / "solutions" / "slopes.py")
    assert gradelab("release", "slopes", cwd=root).returncode == 0
    test = gradelab("selftest", "slopes", cwd=root)
    assert test.returncode == 0, test.stdout + test.stderr
    assert len(rows(test.stdout.split("slopes\n", 1)[1])) >= 6


def test_a_hidden_test_with_a_name_error_stops_grading_naming_file_and_line(scratch, gradelab):
    nbgrader_commands.release(scratch, "mse_gradient")
    place_samples(scratch, "mse_gradient", [Sample("alice", None, ""), Sample("bob", None, "")])
    suite = scratch.hidden_suite("mse_gradient") / "test_mse_gradient.py"
    text = suite.read_text()
    line = text.splitlines().index('    """returns a float numpy array of shape (d,)"""') + 2
    suite.write_text(text.replace('"compute_gradient")\n', "compute_gradient_name)\n", 1))
    run = gradelab("autograde", "mse_gradient", cwd=scratch.root)
    assert run.returncode == 1
    assert f"autograder/mse_gradient/test_mse_gradient.py:{line + 1} " in run.stdout
    assert "NameError" in run.stdout and "grading stopped before any student" in run.stdout
    assert assignment_scores(scratch, "mse_gradient") == {}
    test = gradelab("selftest", "mse_gradient", cwd=scratch.root)
    assert test.returncode == 1
    said = [s for s in test.stdout.splitlines() if "grading stopped before any sample" in s]
    assert len(said) == 1 and "NameError" in said[0], test.stdout  # said once, with why
    table = {name: row for name, row in rows(test.stdout).items() if name != "grading"}
    assert table and all("the run stopped (above)" in " ".join(r) for r in table.values())


def test_a_cell_name_that_names_no_grade_cell_is_named_with_the_cells_that_exist(scratch, gradelab):
    nbgrader_commands.release(scratch, "gradients")
    place_samples(scratch, "gradients", [Sample("alice", None, "")])
    suite = scratch.hidden_suite("gradients") / "test_gradients.py"
    suite.write_text(
        suite.read_text().replace('DESCENT = "test_descent_step"', 'DESCENT = "test_descent"')
    )
    run = gradelab("autograde", "gradients", cwd=scratch.root)
    assert run.returncode == 1
    assert "cell='test_descent' names no grade cell of gradients" in run.stdout
    assert "test_concepts, test_descent_step" in run.stdout


def test_a_regrade_whose_hidden_suite_fails_its_check_changes_nothing(scratch, gradelab):
    nbgrader_commands.release(scratch, "mse_gradient")
    place_samples(scratch, "mse_gradient", [Sample("alice", None, "")])
    assert gradelab("autograde", "mse_gradient", cwd=scratch.root).returncode == 0
    assert assignment_scores(scratch, "mse_gradient")["alice"].score == 22
    assert gradelab("feedback", "mse_gradient", cwd=scratch.root).returncode == 0
    page = scratch.feedback_folder("alice", "mse_gradient") / "mse_gradient.html"
    assert "22 / 22" in page.read_text()
    graded = scratch.autograded_folder("alice", "mse_gradient") / "mse_gradient.ipynb"
    before = graded.read_bytes()
    place_samples(scratch, "mse_gradient", [Sample("bob", None, "")])
    suite = scratch.hidden_suite("mse_gradient") / "test_mse_gradient.py"
    suite.write_text(suite.read_text() + "\nimport not_a_module\n")
    run = gradelab("autograde", "mse_gradient", "--force", cwd=scratch.root)
    assert run.returncode == 1 and "not_a_module" in run.stdout
    assert "2 submissions waiting" in run.stdout and "nothing was changed" in run.stdout
    alice = assignment_scores(scratch, "mse_gradient")["alice"]
    assert alice.score == 22 and alice.pending is None
    assert graded.read_bytes() == before
    assert not scratch.autograded_folder("bob", "mse_gradient").exists()
    assert gradelab("feedback", "mse_gradient", cwd=scratch.root).returncode == 0
    assert "22 / 22" in page.read_text()


@pytest.mark.slow
def test_the_demo_grades_every_sample_in_a_scratch_copy_and_leaves_the_course_alone(
    course, gradelab, tmp_path
):
    watched = [course.root / "gradebook", course.root / "submitted", course.root / "feedback"]
    before = {
        path: sorted(p.name for p in path.rglob("*")) if path.exists() else None for path in watched
    }
    keep = tmp_path / "demo"
    run = gradelab("demo", "--keep", str(keep), cwd=course.root)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "demo finished: every score as expected" in run.stdout
    for assignment in COURSE_ASSIGNMENTS:
        table = rows(run.stdout.split(f"\n{assignment}\n", 1)[1].split("\n==", 1)[0])
        assert len(table) >= 6 and all(row[2] == "ok" for row in table.values()), assignment
        assert (keep / "gradebook" / f"report_{assignment}.html").is_file()
        assert (keep / "feedback" / "reference" / assignment / f"{assignment}.html").is_file()
    assert (keep / "gradebook" / "grades.csv").is_file()
    after = {
        path: sorted(p.name for p in path.rglob("*")) if path.exists() else None for path in watched
    }
    assert after == before


def test_nbgrader_release_feedback_works_for_submissions_placed_by_hand(
    scratch, gradelab, tmp_path
):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    config = scratch.root / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.Exchange.root = {str(exchange)!r}\n")
    nbgrader_commands.release(scratch, "mse_gradient")
    placed = [s for s in samples(scratch, "mse_gradient") if s.student in ("reference", "raises")]
    place_samples(scratch, "mse_gradient", placed)
    assert gradelab("autograde", "mse_gradient", cwd=scratch.root).returncode == 0
    assert gradelab("feedback", "mse_gradient", cwd=scratch.root).returncode == 0
    released = nbgrader_commands.nbgrader(scratch, "release_feedback", "mse_gradient", check=False)
    assert released == 0
    assert len(list((exchange / scratch.course_id / "feedback").glob("*.html"))) == 2
    database = scratch.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def documented_commands() -> list[list[str]]:
    """The gradelab commands of docs/authoring.md's shell blocks, block by block."""
    text = (REPO / "docs" / "authoring.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    commands = [[line.split("#")[0].strip() for line in block.splitlines()] for block in blocks]
    return [[c for c in block if c.startswith("gradelab ")] for block in commands]


def documented_files() -> dict[str, str]:
    """The files docs/authoring.md gives in full: blocks whose first line is ``# <path>``."""
    text = (REPO / "docs" / "authoring.md").read_text()
    return dict(re.findall(r"```\w+\n# (source/\S+)\n(.*?)```", text, re.DOTALL))


def test_the_authoring_guide_works_step_by_step(scratch, gradelab):
    files = documented_files()
    assert "source/derivatives_quickly/quiz.toml" in files
    for path, text in files.items():
        (scratch.root / path).parent.mkdir(parents=True, exist_ok=True)
        (scratch.root / path).write_text(text)
    blocks = [block for block in documented_commands() if block]
    assert blocks[0][0] == "gradelab new huber_gradient"
    for block in blocks:
        if any(command.startswith("gradelab autograde") for command in block):
            placed = [s for s in samples(scratch, "huber_gradient") if s.student != "blank"]
            place_samples(scratch, "huber_gradient", placed)
        for command in block:
            run = gradelab(*command.split()[1:], cwd=scratch.root)
            assert run.returncode == 0, f"{command}: {run.stdout[-1500:]} {run.stderr[-1500:]}"
    scores = assignment_scores(scratch, "huber_gradient")
    assert scores["reference"].score == scores["reference"].max_score == 6
    assert scores["sign_flipped"].score == 4
    assert (
        scratch.feedback_folder("sign_flipped", "huber_gradient") / "huber_gradient.html"
    ).is_file()
