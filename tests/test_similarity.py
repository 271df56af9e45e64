"""gradelab similarity on a class of mse_gradient: copies of one solution, renamed and
reordered or with comments and layout changed, rank on top and are flagged; solutions
written independently, in styles of their own, stay under the flag threshold; code the
release gives counts for nobody; code moved out of its answer cell still matches."""

import html.parser
import itertools
import json
import math
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from gradelab import nbgrader_commands
from gradelab.autograde.run import autograde
from gradelab.course import Course
from gradelab.errors import CourseError
from gradelab.grading.sample_submission import Sample, submission_notebook
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import listed_samples, place_samples
from gradelab.similarity.answers import OTHER_CODE, read_release
from gradelab.similarity.command import DEFAULT_THRESHOLD, report_path
from gradelab.similarity.comparison import compare_submissions
from gradelab.similarity.page import percent

ASSIGNMENT = "mse_gradient"
HERE = Path(__file__).resolve().parent
PLANTED = HERE / "similarity" / "planted.toml"
DECLARED = tomllib.loads(PLANTED.read_text())["wrong"]
THRESHOLD = DEFAULT_THRESHOLD / 100
GRADELAB = Path(sys.executable).parent / "gradelab"


def copy_pairs() -> set[tuple[str, str]]:
    """The planted pairs that share their code: a copy and its source, two copies of one."""
    groups: dict[str, set[str]] = {}
    for entry in DECLARED:
        if "copied_from" in entry:
            groups.setdefault(entry["copied_from"], {entry["copied_from"]}).add(entry["name"])
    return {pair for group in groups.values() for pair in itertools.combinations(sorted(group), 2)}


COPIES = copy_pairs()


class PageText(html.parser.HTMLParser):
    """The text of a report as a reader sees it: all of it, what is marked, per pair."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.marked: list[str] = []
        self.pairs: dict[str, list[str]] = {}
        self._pair: str | None = None
        self._marking = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("class") == "pair":
            self._pair = attrs["id"]
            self.pairs[self._pair] = []
        if tag == "span" and attrs.get("class") == "match":
            self._marking += 1

    def handle_endtag(self, tag):
        if tag == "span" and self._marking:
            self._marking -= 1

    def handle_data(self, data):
        self.text.append(data)
        if self._marking:
            self.marked.append(data)
        if self._pair:
            self.pairs[self._pair].append(data)


def read_page(path: Path) -> PageText:
    found = PageText()
    found.feed(path.read_text(encoding="utf-8"))
    return found


def released_notebook(course: Course) -> nbformat.NotebookNode:
    return nbformat.reads(
        submission_notebook(course, ASSIGNMENT, ASSIGNMENT, Sample("blank", 0, "", blank=True)),
        as_version=4,
    )


def place(course: Course, student: str, notebook: nbformat.NotebookNode) -> None:
    folder = course.submission_folder(student, ASSIGNMENT)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")


@pytest.fixture(scope="module")
def planted_class(course: Course):
    """A scratch course in which the planted submissions of mse_gradient are handed in."""
    with scratch_course(course) as scratch:
        nbgrader_commands.release(scratch, ASSIGNMENT)
        place_samples(scratch, ASSIGNMENT, listed_samples(PLANTED))
        yield scratch


@pytest.fixture(scope="module")
def comparison(planted_class: Course):
    return compare_submissions(planted_class, ASSIGNMENT)


def test_every_planted_submission_is_a_whole_and_correct_solution(planted_class):
    answer_cells = set(read_release(planted_class, ASSIGNMENT).answers.values())
    for entry in DECLARED:
        assert set(entry["cells"]) == answer_cells, f"{entry['name']} keeps reference cells"
    autograde(planted_class, ASSIGNMENT, force=True, weak=False)
    scores = assignment_scores(planted_class, ASSIGNMENT)
    assert sorted(scores) == sorted(entry["name"] for entry in DECLARED)
    assert all(s.max_score > 0 and s.score == s.max_score for s in scores.values()), scores


def test_the_copies_rank_on_top_and_are_flagged(comparison):
    top = comparison.ranked[: len(COPIES)]
    assert {(scored.first, scored.second) for scored in top} == COPIES
    assert all(scored.score >= THRESHOLD for scored in top), top


def test_independent_solutions_stay_under_the_flag_threshold(comparison):
    others = [s for s in comparison.ranked if (s.first, s.second) not in COPIES]
    assert len(others) == math.comb(len(DECLARED), 2) - len(COPIES)
    assert max(scored.score for scored in others) < THRESHOLD, others[0]
    assert comparison.flagged(THRESHOLD) == len(COPIES)


def test_the_command_prints_the_closest_pairs_and_writes_them_side_by_side(planted_class):
    shown, threshold = 3, 80
    run = subprocess.run(
        [GRADELAB, "similarity", ASSIGNMENT, "--pairs", str(shown), "--threshold", str(threshold)],
        cwd=planted_class.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    expected = compare_submissions(planted_class, ASSIGNMENT)
    rows = [line.split() for line in run.stdout.splitlines()]
    rows = [row for row in rows if len(row) >= 6 and row[0].isdigit() and row[3][-1] == "%"]
    assert [(row[1], row[2]) for row in rows] == [
        (s.first, s.second) for s in expected.ranked[:shown]
    ]
    for row, scored in zip(rows, expected.ranked, strict=False):
        assert row[3] == percent(scored.score)
        assert (row[-1] == "flagged") == (scored.score >= threshold / 100)
    flagged = expected.flagged(threshold / 100)
    assert f"{flagged} at or above {threshold}%" in run.stdout
    left_out = flagged - sum(1 for row in rows if row[-1] == "flagged")
    assert (f"{left_out} more flagged pairs not shown" in run.stdout) == (left_out > 0)
    page = read_page(report_path(planted_class, ASSIGNMENT))
    assert len(page.pairs) == shown
    first = expected.ranked[0]
    section = "".join(page.pairs[f"pair-{first.first}-{first.second}"])
    assert f"{first.first} and {first.second}: {percent(first.score)}" in section


def test_the_report_marks_the_copied_code_beside_its_source(planted_class):
    run = subprocess.run(
        [GRADELAB, "similarity", ASSIGNMENT, "--json"],
        cwd=planted_class.root,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    pairs = json.loads(run.stdout)["pairs"]
    assert {(p["first"], p["second"]) for p in pairs if p["flagged"]} == COPIES
    page = read_page(report_path(planted_class, ASSIGNMENT))
    marked = "".join(page.marked)
    gina = next(entry for entry in DECLARED if entry["name"] == "gina")
    assert "errors = X.dot( w ) - y" in marked  # gina's layout, marked as ana's code
    assert "# number of examples" in "".join(page.text)
    assert "dJ_dw_typed" not in marked  # too short to tell a copy from an answer
    assert gina["cells"]["typed_derivatives"].strip().splitlines()[0] in "".join(page.text)


@pytest.fixture(scope="module")
def handmade_class(course: Course, planted_class: Course):
    """Students who hand in the release untouched, paste its public module, share a helper
    of their own, or move ana's code out of its answer cell."""
    with scratch_course(course) as scratch:
        released = planted_class.release_folder(ASSIGNMENT)
        shutil.copytree(released, scratch.release_folder(ASSIGNMENT))
        ana = next(sample for sample in listed_samples(PLANTED) if sample.student == "ana")
        place_samples(scratch, ASSIGNMENT, [ana])
        checks = (scratch.release_folder(ASSIGNMENT) / "checks.py").read_text()
        helper = (
            "def mean_squared_error(X, y, w):\n"
            "    residual = np.asarray(X) @ np.asarray(w) - np.asarray(y)\n"
            "    return float(np.mean(residual ** 2))\n"
        )
        for student, added in [
            ("blank1", None), ("blank2", None), ("pastes1", checks), ("pastes2", checks),
            ("helper1", helper), ("helper2", helper),
        ]:  # fmt: skip
            notebook = released_notebook(scratch)
            if added:
                notebook.cells.append(new_code_cell(added))
            place(scratch, student, notebook)
        mover = nbformat.reads(submission_notebook(scratch, ASSIGNMENT, ASSIGNMENT, ana), 4)
        released = released_notebook(scratch)
        for cell, given in zip(list(mover.cells), released.cells, strict=True):
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "compute_gradient":
                mover.cells.append(new_code_cell(cell.source))
                cell.source = given.source
        place(scratch, "mover", mover)
        yield scratch


@pytest.fixture(scope="module")
def handmade(handmade_class: Course):
    found = compare_submissions(handmade_class, ASSIGNMENT)
    return {(s.first, s.second): s.score for s in found.ranked}


def test_the_code_the_release_gives_counts_for_nobody(handmade):
    given = ["blank1", "blank2", "pastes1", "pastes2"]
    for pair in itertools.combinations(given, 2):
        assert handmade[pair] == 0, pair


def test_code_of_their_own_that_two_students_share_counts(handmade):
    assert handmade[("helper1", "helper2")] == 1
    assert handmade[("blank1", "helper1")] == 0


def test_code_moved_out_of_its_answer_cell_still_matches(handmade_class, handmade):
    assert handmade[("ana", "mover")] >= THRESHOLD
    subprocess.run(
        [GRADELAB, "similarity", ASSIGNMENT], cwd=handmade_class.root, check=True, timeout=120
    )
    page = read_page(report_path(handmade_class, ASSIGNMENT))
    section = "".join(page.pairs["pair-ana-mover"])
    assert OTHER_CODE in section and "errors = X.dot(w) - y" in "".join(page.marked)


def test_an_assignment_not_yet_released_is_refused_with_what_to_do(course: Course):
    refused = pytest.raises(CourseError, match=f"gradelab release {ASSIGNMENT}")
    with scratch_course(course) as scratch, refused:
        compare_submissions(scratch, ASSIGNMENT)
