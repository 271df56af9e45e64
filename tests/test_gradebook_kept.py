"""The gradebook a process keeps open: every use reads what others wrote since, a gradebook
file replaced at the same path is read anew, and a use nested in another shares its session."""

from __future__ import annotations

import shutil
import subprocess
import sys

from gradelab.course.gradebook import gradebook_at

COURSE = "kept-course"


def add_student_elsewhere(db_url: str, student: str) -> None:
    """``student`` added to the gradebook by another process, as formgrader would."""
    code = (
        "import sys\nfrom nbgrader.api import Gradebook\n"
        "with Gradebook(sys.argv[1], sys.argv[2]) as g:\n    g.add_student(sys.argv[3])\n"
    )
    subprocess.run([sys.executable, "-c", code, db_url, COURSE, student], check=True)


def students(db_url: str) -> set[str]:
    with gradebook_at(db_url, COURSE) as gradebook:
        return {s.id for s in gradebook.students}


def test_each_use_reads_what_another_process_wrote_since(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{sys.prefix}/bin", prepend=":")  # nbgrader runs alembic
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    assert students(db_url) == set()
    add_student_elsewhere(db_url, "ann")
    assert students(db_url) == {"ann"}
    add_student_elsewhere(db_url, "ben")
    assert students(db_url) == {"ann", "ben"}


def test_a_gradebook_replaced_at_the_same_path_is_read_anew(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{sys.prefix}/bin", prepend=":")
    path = tmp_path / "gradebook.db"
    db_url = f"sqlite:///{path}"
    add_student_elsewhere(db_url, "ann")
    assert students(db_url) == {"ann"}
    shutil.move(path, tmp_path / "old.db")
    add_student_elsewhere(db_url, "zoe")
    assert students(db_url) == {"zoe"}


def test_a_nested_use_shares_the_session_and_leaves_it_to_the_outer_one(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{sys.prefix}/bin", prepend=":")
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with gradebook_at(db_url, COURSE) as outer:
        outer.add_student("ann")
        ann = outer.find_student("ann")
        with gradebook_at(db_url, COURSE) as inner:
            assert inner.find_student("ann") is ann
        ann.first_name = "Ann"  # still in the outer session: this is saved
        outer.db.commit()
    with gradebook_at(db_url, COURSE) as gradebook:
        assert gradebook.find_student("ann").first_name == "Ann"
