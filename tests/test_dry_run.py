"""A regrade shows its effect first: ``--dry-run`` grades in a scratch copy and lists each
student whose score would change, touching nothing of the course; the real ``--force`` run
then makes exactly those changes."""

import hashlib
import re
from pathlib import Path

import pytest
from nbgrader.api import Base
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from test_postgres_gradebook import postgres_url  # noqa: F401 - a fixture

from gradelab import nbgrader_commands
from gradelab.autograde.gradebook_copy import copy_gradebook
from gradelab.autograde.run import autograde
from gradelab.autograde.score_changes import Standing, score_changes
from gradelab.course import Course
from gradelab.feedback.results import read_results
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import place_samples, samples

ASSIGNMENT = "mse_gradient"
BATCH = ["reference", "blank", "sign_flipped", "factor_2_missing", "summed_not_averaged"]
TABLES = Base.metadata.sorted_tables
CHANGE_ROW = re.compile(r"^  (\S+)\s+(\S+) -> (\S+)\s+(.*)$")


def course_state(course: Course) -> dict[str, str]:
    """A digest of the gradebook file's bytes and of every file under autograded/ and feedback/."""
    digest = {"gradebook": file_digest(Path(make_url(course.db_url).database))}
    for step in ("autograded", "feedback"):
        folder = course.folder(step)
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            digest[str(path.relative_to(course.root))] = file_digest(path) if path.is_file() else ""
    return digest


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def with_two_examples_in_the_single_example_test(course: Course) -> None:
    """The instructor makes the single-example test use two examples: a gradient summed
    instead of averaged, right only when n = 1, now fails it."""
    path = course.hidden_suite(ASSIGNMENT) / "test_mse_gradient.py"
    old = "vector_problem(rng, n=1, d=3)"
    assert path.read_text().count(old) == 1
    path.write_text(path.read_text().replace(old, "vector_problem(rng, n=2, d=3)"))


def listed_changes(printed: str) -> dict[str, tuple[str, str, str]]:
    """The dry run's rows: each student's score before, after, and the tests that changed."""
    rows = printed.split(" tests that changed\n", 1)[1].split("\ndry run:", 1)[0]
    return {m[1]: (m[2], m[3], m[4]) for m in map(CHANGE_ROW.match, rows.splitlines()) if m}


def test_changes_are_each_student_whose_score_or_tests_differ():
    before = {
        "same": Standing(5.0, {("c", "t1"): 2.0, ("c", "t2"): 3.0}),
        "traded": Standing(5.0, {("c", "t1"): 2.0, ("c", "t2"): 3.0}),
        "lower": Standing(5.0, {("c", "t1"): 2.0, ("c", "t2"): 3.0}),
        "was_pending": Standing(None),
        "not_regraded": Standing(1.0),
    }
    after = {
        "same": Standing(5.0, {("c", "t1"): 2.0, ("c", "t2"): 3.0}),
        "traded": Standing(5.0, {("c", "t1"): 3.0, ("c", "t2"): 2.0}),
        "lower": Standing(3.0, {("c", "t1"): 0.0, ("c", "t2"): 3.0}),
        "was_pending": Standing(4.0, {("c", "t1"): 4.0}),
        "new": Standing(0.0),
        "not_regraded": Standing(9.0),
    }
    regraded = ["same", "traded", "lower", "was_pending", "new"]
    changes = {c.student: c for c in score_changes(before, after, regraded)}
    assert sorted(changes) == ["lower", "new", "traded", "was_pending"]
    assert changes["lower"].tests == [("t1", 2.0, 0.0)]
    assert changes["traded"].tests == [("t1", 2.0, 3.0), ("t2", 3.0, 2.0)]
    assert (changes["was_pending"].before, changes["new"].before) == (None, None)


def test_the_gradebook_copy_holds_every_row_and_the_original_keeps_its_bytes(
    released_course, tmp_path
):
    original = Path(make_url(released_course.db_url).database)
    digest = file_digest(original)
    copy_url = copy_gradebook(released_course.db_url, tmp_path / "copy.db")
    assert file_digest(original) == digest
    source, copy = create_engine(released_course.db_url), create_engine(copy_url)
    copied = 0
    with source.connect() as a, copy.connect() as b:
        for table in Base.metadata.sorted_tables:
            rows = sorted(map(tuple, a.execute(table.select()).all()), key=repr)
            assert sorted(map(tuple, b.execute(table.select()).all()), key=repr) == rows
            copied += len(rows)
    assert copied > 0


def dry_run_predicts_the_regrade(course: Course, gradelab, state) -> None:
    """Change a hidden test; the dry run leaves ``state(course)`` as it was and lists exactly
    the students, scores and tests that the real regrade then changes."""
    with_two_examples_in_the_single_example_test(course)
    before = {s: v.score for s, v in assignment_scores(course, ASSIGNMENT).items()}
    results_before = read_results(course, ASSIGNMENT)
    kept = state(course)

    dry = gradelab("autograde", ASSIGNMENT, "--force", "--dry-run", cwd=course.root)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    predicted = listed_changes(dry.stdout)
    assert state(course) == kept

    real = gradelab("autograde", ASSIGNMENT, "--force", cwd=course.root)
    assert real.returncode == 0, real.stdout + real.stderr
    after = {s: v.score for s, v in assignment_scores(course, ASSIGNMENT).items()}
    changed = sorted(s for s in after if after[s] != before[s])
    assert changed, "the stricter test changed no score"
    assert sorted(predicted) == changed
    results_after = read_results(course, ASSIGNMENT)
    for student in changed:
        assert predicted[student][:2] == (f"{before[student]:g}", f"{after[student]:g}")
        tests_before = {t["title"]: t["earned"] for t in results_before[student].tests}
        tests_after = {t["title"]: t["earned"] for t in results_after[student].tests}
        for title in tests_after:
            named = f"{title}: {tests_before[title]:g} -> {tests_after[title]:g}"
            assert (named in predicted[student][2]) == (tests_before[title] != tests_after[title])
    assert f"{len(changed)} of {len(BATCH)} regraded students would change" in dry.stdout


def graded(course: Course) -> Course:
    nbgrader_commands.release(course, ASSIGNMENT)
    batch = [s for s in samples(course, ASSIGNMENT) if s.student in BATCH]
    place_samples(course, ASSIGNMENT, batch)
    assert not autograde(course, ASSIGNMENT, force=False, weak=False).failed
    return course


@pytest.mark.slow
def test_a_dry_run_lists_exactly_what_the_regrade_then_changes(course, gradelab):
    with scratch_course(course) as scratch:
        dry_run_predicts_the_regrade(graded(scratch), gradelab, course_state)


def postgres_rows(course: Course) -> dict[str, list]:
    """Every row of every gradebook table."""
    engine = create_engine(course.db_url)
    with engine.connect() as db:
        rows = {t.name: sorted(map(tuple, db.execute(t.select())), key=repr) for t in TABLES}
    engine.dispose()
    return rows


@pytest.mark.slow
def test_a_dry_run_on_postgres_grades_into_a_sqlite_copy(course, gradelab, monkeypatch, request):
    postgres = request.getfixturevalue("postgres_url")  # a private PostgreSQL 15 server
    with scratch_course(course) as scratch:
        monkeypatch.setenv("GRADELAB_DB_URL", postgres)
        on_postgres = Course.load(scratch.root)
        assert on_postgres.db_url == postgres
        dry_run_predicts_the_regrade(graded(on_postgres), gradelab, postgres_rows)
