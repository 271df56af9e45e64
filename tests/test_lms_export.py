"""Grades into Canvas and Moodle: each roster student's score reads back from the import file
the way the LMS reads it, whoever is on one side only is named, and no name or id becomes a
formula or lands on another student."""

import csv
import os
import re
import subprocess
import sys
import warnings
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbgrader.api import Gradebook

from gradelab.errors import RosterError
from gradelab.exports.lms.canvas import write_canvas
from gradelab.exports.lms.grades import AssignmentGrades, match_roster
from gradelab.exports.lms.roster import MAX_PROBLEMS, read_roster
from gradelab.exports.spreadsheet import FORMULA_STARTS
from gradelab.scores import NOT_GRADED_YET

BIN = Path(sys.executable).parent
CONFIG = """import os
c = get_config()
here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = here
c.CourseDirectory.course_id = "lms-course"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook", "gradebook.db")
"""
#: Each student's auto scores per assignment and grade cell, and late penalty per assignment.
POINTS = {"week1": {"q1": 5.0, "q2": 2.5}, "week2": {"q1": 3.0}}
SUBMISSIONS = {
    "alice": {"week1": ({"q1": 5.0, "q2": 1.5}, 0.0), "week2": ({"q1": 2.0}, 0.0)},
    "bob": {"week1": ({"q1": 1.0, "q2": 1.0}, 0.5)},
    "dave": {"week1": ({"q1": 3.0, "q2": 0.0}, 0.0)},
    "erin": {"week1": ({"q1": 4.0, "q2": 2.5}, 0.0), "week2": ({"q1": 0.5}, 1.0)},
    "frank": {"week2": ({"q1": 3.0}, 0.0)},
    "=evil\x1b[2J": {"week1": ({"q1": 5.0, "q2": 2.5}, 0.0)},
}
ROSTER = """student_id,name,canvas_id,sis_user_id,sis_login_id,section,username,email
alice,"Liddell, Alice",101,,alice@uni.example,S1,alice,alice@uni.example
bob,"=HYPERLINK(""http://evil.example"",""x"")",102,,,S1,bob,bob@uni.example
carol,Points Possible,,U-3,,S2,carol,carol@uni.example
erin,+Erin -@,,,erin@uni.example,"=1+1",erin,erin@uni.example
frank,Frank,,U-6,,S2,0frank,frank@uni.example
"""
PENDING = ("frank", "week2")
SUBMITTED = datetime(2025, 3, 1, 12, 0)


@pytest.fixture
def graded_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A course whose real nbgrader gradebook holds ``SUBMISSIONS`` (frank's week2 grading
    failed: no score yet), with ``ROSTER`` beside it."""
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")  # nbgrader's alembic
    (tmp_path / "nbgrader_config.py").write_text(CONFIG)
    (tmp_path / "gradebook").mkdir()
    (tmp_path / "roster.csv").write_text(ROSTER)
    url = f"sqlite:///{tmp_path}/gradebook/gradebook.db"
    warnings.filterwarnings("ignore", message="Object of type")  # nbgrader 0.9 and SQLAlchemy 2
    with Gradebook(url, "lms-course") as gradebook:
        for assignment, cells in POINTS.items():
            gradebook.add_assignment(assignment)
            gradebook.add_notebook(assignment, assignment)
            gradebook.add_solution_cell("answer", assignment, assignment)
            for cell, points in cells.items():
                gradebook.add_grade_cell(cell, assignment, assignment, max_score=points,
                                         cell_type="code")  # fmt: skip
        for student, submitted in SUBMISSIONS.items():
            gradebook.add_student(student)
            for assignment, (scores, penalty) in submitted.items():
                submission = gradebook.add_submission(assignment, student, timestamp=SUBMITTED)
                notebook = submission.notebooks[0]
                for grade in notebook.grades:
                    grade.auto_score = scores[grade.name]
                notebook.late_submission_penalty = penalty
                if (student, assignment) == PENDING:
                    notebook.comments[0].auto_comment = NOT_GRADED_YET + "a hidden test broke"
        gradebook.db.commit()
    return tmp_path


def gradelab(course: Path, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "gradelab"), *args], cwd=course, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def nbgrader_scores(course: Path) -> dict[tuple[str, str], float]:
    """nbgrader's own export of the same gradebook: the score of each submission."""
    gradelab(course, "export", "--to", "nbgrader.csv")
    with (course / "nbgrader.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    return {
        (row["student_id"], row["assignment"]): float(row["score"])
        for row in rows
        if row["timestamp"]
    }


def canvas_import(path: Path) -> tuple[dict[str, float], dict[tuple[str, str], dict]]:
    """Read an import file as Canvas's importer does (gradebook_importer.rb): a header of
    Student, ID, SIS User ID, SIS Login ID, Section and the assignments; a row whose first cell
    holds "Points Possible" gives the points; rows of nothing but "Muted" are skipped; every
    other row is a student, found by ID, else SIS User ID, else SIS Login ID."""
    with path.open(newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    assert "Student" in header[0] and "ID" in header[1] and header[4] == "Section"
    assert re.fullmatch(r"SIS\s+User\s+ID", header[2]) and re.fullmatch(
        r"SIS\s+Login\s+ID", header[3]
    )
    assignments = header[5:]
    points, students = {}, {}
    for row in rows:
        if "Points Possible" in row[0]:
            points = {a: float(value) for a, value in zip(assignments, row[5:], strict=True)}
            continue
        if all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, re.I) for c in row):
            continue
        kind, index = next((k, i) for i, k in enumerate(header[:4]) if i and row[i])
        grades = {a: value.strip() for a, value in zip(assignments, row[5:], strict=True)}
        students[(kind, row[index])] = {a: float(v) if v else None for a, v in grades.items()}
    return points, students


def moodle_import(path: Path, field: str) -> dict[str, dict]:
    """Read an import file as Moodle's CSV importer does (grade/import/csv/classes/load_data.php)
    with the identifier column mapped from ``field``: a row of one cell or fewer is skipped;
    an identifier PHP calls empty ("" or "0") keeps the row before's user; "" and "-" are no
    grade."""
    with path.open(newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    header = [h.strip() for h in header]
    column = header.index(field)
    user, found = None, {}
    for row in rows:
        if len(row) <= 1:
            continue
        if row[column].strip() not in ("", "0"):
            user = row[column].strip()
        grades = {
            h: v.strip() for i, (h, v) in enumerate(zip(header, row, strict=True)) if i != column
        }
        found[user] = {a: None if v in ("", "-") else float(v) for a, v in grades.items()}
    return found


def roster_rows(course: Path) -> list[dict]:
    with (course / "roster.csv").open(newline="") as file:
        return list(csv.DictReader(file))


def test_canvas_reads_back_each_roster_students_score_and_the_points(graded_course):
    printed = gradelab(graded_course, "export", "--format", "canvas", "--roster", "roster.csv")
    expected = nbgrader_scores(graded_course)
    points, students = canvas_import(graded_course / "gradebook" / "canvas_grades.csv")
    assert points == {a: sum(cells.values()) for a, cells in POINTS.items()}
    assert len(students) == len(roster_rows(graded_course))
    for row in roster_rows(graded_course):
        kind, key = next(
            (k, row[c])
            for k, c in [("ID", "canvas_id"), ("SIS User ID", "sis_user_id"),
                         ("SIS Login ID", "sis_login_id")]
            if row[c]
        )  # fmt: skip
        for assignment in POINTS:
            got = students[(kind, key)][assignment]
            if (row["student_id"], assignment) == PENDING:
                assert got is None
            else:
                assert got == expected.get((row["student_id"], assignment))
    assert "not on the roster, so not in the file: =evil\\x1b[2J, dave (2)" in printed
    assert "\x1b" not in printed
    assert "week1, no submission (empty cells): carol, frank (2)" in printed
    assert "week2, no submission (empty cells): bob, carol (2)" in printed
    assert "week2, no score yet" in printed and "frank (1)" in printed


def test_moodle_reads_back_each_roster_students_score_by_username(graded_course):
    printed = gradelab(graded_course, "export", "--format", "moodle", "--roster", "roster.csv")
    expected = nbgrader_scores(graded_course)
    found = moodle_import(graded_course / "gradebook" / "moodle_grades.csv", "Username")
    assert "map from 'Username' to 'Username'" in printed
    assert set(found) == {row["username"] for row in roster_rows(graded_course)}
    for row in roster_rows(graded_course):
        for assignment in POINTS:
            want = (
                None
                if (row["student_id"], assignment) == PENDING
                else expected.get((row["student_id"], assignment))
            )
            assert found[row["username"]][assignment] == want
    assert "dave" not in (graded_course / "gradebook" / "moodle_grades.csv").read_text()


def test_no_cell_of_the_files_is_a_formula(graded_course):
    for lms in ("canvas", "moodle"):
        gradelab(graded_course, "export", "--format", lms, "--roster", "roster.csv")
        with (graded_course / "gradebook" / f"{lms}_grades.csv").open(newline="") as file:
            cells = [cell for row in csv.reader(file) for cell in row]
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
        assert "'=HYPERLINK" in " ".join(cells) or lms == "moodle"


def test_a_student_named_points_possible_is_still_found_by_id(graded_course):
    printed = gradelab(graded_course, "export", "--format", "canvas", "--roster", "roster.csv")
    points, students = canvas_import(graded_course / "gradebook" / "canvas_grades.csv")
    assert ("SIS User ID", "U-3") in students
    assert points["week1"] == 7.5  # carol's row did not replace the points row
    assert "the Student cell of carol is left empty" in printed


def write_roster(folder: Path, text: str | bytes) -> Path:
    path = folder / "roster.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


BAD_ROSTERS = [
    ("canvas", "name,canvas_id\nAlice,1\n", "line 1: no student_id column"),
    ("canvas", "student_id,name\nalice,Alice\n", "line 1: Canvas needs one of the columns"),
    ("moodle", "student_id,canvas_id\nalice,1\n", "line 1: Moodle needs one of the columns"),
    ("canvas", "student_id,canvas_id,nmae\na,1,x\n", "line 1, column 'nmae': not a roster column"),
    (
        "canvas",
        "student_id,canvas_id\na,1\nb,x7\n",
        "line 3, column 'canvas_id': Canvas's user IDs",
    ),
    ("canvas", "student_id,canvas_id\na,1\na,2\n", "line 3, column 'student_id': 'a' is on line 2"),
    ("canvas", "student_id,canvas_id\na,7\nb,7\n", "line 3, column 'canvas_id': '7' is on line 2"),
    ("canvas", "student_id,canvas_id,sis_login_id\na,,\n", "line 2: no Canvas id"),
    ("canvas", "student_id,sis_login_id\na,=cmd|' /C calc'!A0\n", "line 2, column 'sis_login_id'"),
    ("moodle", "student_id,username\na,-bob\n", "line 2, column 'username': '-bob' starts with"),
    ("moodle", "student_id,username\na,ann\nb,\nc,0\n", "line 3, column 'username': empty or 0"),
    ("moodle", "student_id,email\na,a@x\n\nb,b@x,extra\n", "line 4: 3 cells, but the header has 2"),
    ("canvas", 'student_id,canvas_id,name\na,1,"two\nlines"\n', "line 2, column 'name': holds"),
    ("canvas", b"student_id,canvas_id\na,1\n\xff\xfe,2\n", "line 3: not UTF-8 text"),
    ("canvas", 'student_id,canvas_id\na,1\n"b,2\n', "line 3: not a readable CSV row"),
]


@pytest.mark.parametrize(("lms", "text", "problem"), BAD_ROSTERS)
def test_a_bad_roster_is_refused_naming_the_file_line_and_column(tmp_path, lms, text, problem):
    path = write_roster(tmp_path, text)
    with pytest.raises(RosterError) as refused:
        read_roster(path, lms)
    assert f"{path}, {problem}" in str(refused.value)


def test_every_problem_of_a_roster_is_reported_at_once(tmp_path):
    path = write_roster(tmp_path, "student_id,canvas_id\na,x\nb,y\n,3\n")
    with pytest.raises(RosterError) as refused:
        read_roster(path, "canvas")
    assert [f"line {n}" in str(refused.value) for n in (2, 3, 4)] == [True] * 3


printable_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), max_size=30
)
hostile_names = st.one_of(
    printable_text,
    st.sampled_from(['=HYPERLINK("http://evil.example","x")', "+1+1", "-2", "@SUM(A1)",
                     "Points Possible", "Muted", "a,b", '"quoted"', "Manual Posting", " "]),
)  # fmt: skip
student_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,15}", fullmatch=True)
scores = st.one_of(st.none(), st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 5)))


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    st.lists(
        st.tuples(
            student_ids, hostile_names, hostile_names, st.lists(scores, min_size=2, max_size=2)
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda s: s[0],
    )
)
def test_hostile_names_never_become_formulas_nor_cost_a_score(tmp_path, students):
    lines = [["student_id", "name", "canvas_id", "section"]] + [
        [sid, name, str(1000 + i), section] for i, (sid, name, section, _) in enumerate(students)
    ]
    path = tmp_path / "roster.csv"
    with path.open("w", newline="") as file:
        csv.writer(file).writerows(lines)
    assignments = [
        AssignmentGrades(name, 1000.0, {sid: s[i] for sid, _, _, s in students if s[i] is not None})
        for i, name in enumerate(["week1", "week2"])
    ]
    target = tmp_path / "canvas.csv"
    write_canvas(target, match_roster(assignments, read_roster(path, "canvas")))
    with target.open(newline="") as file:
        written = [cell for row in csv.reader(file) for cell in row]
    assert not [cell for cell in written if cell.startswith(FORMULA_STARTS)]
    _, found = canvas_import(target)
    for i, (_, _, _, expected) in enumerate(students):
        assert list(found[("ID", str(1000 + i))].values()) == expected


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.binary(max_size=400), st.sampled_from(["canvas", "moodle"]))
def test_any_bytes_make_a_roster_or_a_clear_refusal(tmp_path, data, lms):
    path = write_roster(tmp_path, b"student_id,canvas_id,username\n" + data)
    try:
        roster = read_roster(path, lms)
    except RosterError as refused:
        assert str(path) in str(refused) and "line " in str(refused)
    else:
        assert all(entry.student_id for entry in roster.entries)


def test_a_roster_with_many_problems_shows_the_first_and_counts_the_rest(tmp_path):
    rows = "".join(f"s{n},id{n}\n" for n in range(MAX_PROBLEMS + 7))
    with pytest.raises(RosterError) as refused:
        read_roster(write_roster(tmp_path, "student_id,canvas_id\n" + rows), "canvas")
    assert str(refused.value).count("Canvas's user IDs are digits") == MAX_PROBLEMS
    assert str(refused.value).endswith("... and 7 more")
