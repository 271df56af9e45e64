"""An inbound entry is copied once, as its student left it: a link anywhere is refused and
never followed, another account's file is refused, any depth is refused without recursion,
and the snapshot's time is never earlier than the content it holds, however the entry is
changed while it is copied."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nested_folders import make_nested, remove_nested

from gradelab.autograde.intake import MAX_FOLDER_DEPTH, Refused
from gradelab.serve.snapshot import QUIET_SECONDS, SECRET, NotTheirs, NotYet, Rules, take

SECRET_TEXT = "0123456789abcdef" * 8
ROOT_ONLY = Rules(frozenset({0}), 10**6)
#: A small tree: relative paths, each a file, a folder or a link to a file outside.
PARTS = st.sampled_from(["a", "b", "c.ipynb", "d"])
TREES = st.dictionaries(
    st.lists(PARTS, min_size=1, max_size=3).map(tuple),
    st.sampled_from(["file", "file", "file", "link"]),
    max_size=6,
)


def make_entry(inbound: Path, files: dict[str, str] | None = None) -> Path:
    entry = inbound / "ann+mse_gradient+2026-12-01 10:00:00 UTC+r"
    entry.mkdir(parents=True)
    for name, text in (files or {"mse_gradient.ipynb": "{}"}).items():
        (entry / name).write_text(text)
    (entry / SECRET).write_text(SECRET_TEXT)
    return entry


def quiet() -> None:
    time.sleep(QUIET_SECONDS + 0.05)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=TREES)
def test_a_link_anywhere_is_refused_and_nothing_it_points_at_is_copied(tree):
    with tempfile.TemporaryDirectory() as root:
        outside = Path(root) / "other_student_notebook"
        outside.write_text("not yours")
        entry = make_entry(Path(root) / "inbound")
        made: dict[tuple, str] = {}
        for parts, kind in sorted(tree.items(), key=lambda item: len(item[0])):
            if any(parts[:k] in made and made[parts[:k]] != "dir" for k in range(1, len(parts))):
                continue
            for k in range(1, len(parts)):
                if parts[:k] not in made:
                    (entry.joinpath(*parts[:k])).mkdir()
                    made[parts[:k]] = "dir"
            if parts in made:
                continue
            path = entry.joinpath(*parts)
            if kind == "link":
                path.symlink_to(outside)
            else:
                path.write_text("/".join(parts))
            made[parts] = kind
        quiet()
        target = Path(root) / "copy"
        if "link" in made.values():
            with pytest.raises(Refused, match="symbolic link"):
                take(Path(root) / "inbound", os.fsencode(entry.name), ROOT_ONLY, target)
            copied = [p for p in target.rglob("*") if p.is_file()]
            assert all("not yours" not in p.read_text() for p in copied)
            return
        take(Path(root) / "inbound", os.fsencode(entry.name), ROOT_ONLY, target)
        for parts, kind in made.items():
            copy = target.joinpath(*parts)
            assert copy.is_dir() if kind == "dir" else copy.read_text() == "/".join(parts)


def test_an_entry_that_is_itself_a_link_is_refused(tmp_path):
    other = make_entry(tmp_path / "submitted")
    (tmp_path / "inbound").mkdir()
    (tmp_path / "inbound" / "bob+mse_gradient+x+r").symlink_to(other)
    quiet()
    with pytest.raises(Refused, match="not a folder"):
        take(tmp_path / "inbound", b"bob+mse_gradient+x+r", ROOT_ONLY, tmp_path / "copy")
    assert not (tmp_path / "copy" / "mse_gradient.ipynb").exists()


def test_an_entry_1500_folders_deep_is_refused_without_recursion(tmp_path):
    entry = make_entry(tmp_path / "inbound")
    make_nested(entry, 1500)
    quiet()
    try:
        with pytest.raises(Refused, match=f"nested more than {MAX_FOLDER_DEPTH} deep"):
            take(tmp_path / "inbound", os.fsencode(entry.name), ROOT_ONLY, tmp_path / "copy")
    finally:
        remove_nested(entry)


def test_a_file_of_another_account_is_refused_and_so_is_an_entry(tmp_path):
    entry = make_entry(tmp_path / "inbound", {"mse_gradient.ipynb": "{}", "notes.txt": "x"})
    os.chown(entry / "notes.txt", 54321, 54321)
    quiet()
    name = os.fsencode(entry.name)
    with pytest.raises(Refused, match="belongs to another user"):
        take(tmp_path / "inbound", name, ROOT_ONLY, tmp_path / "copy")
    take(tmp_path / "inbound", name, Rules(frozenset({0, 54321}), 10**6), tmp_path / "copy")
    os.chown(entry, 54321, 54321)
    with pytest.raises(NotTheirs):
        take(tmp_path / "inbound", name, ROOT_ONLY, tmp_path / "copy")


def test_an_entry_still_being_written_is_left_for_later(tmp_path):
    entry = make_entry(tmp_path / "inbound")
    with pytest.raises(NotYet):
        take(tmp_path / "inbound", os.fsencode(entry.name), ROOT_ONLY, tmp_path / "copy")
    (entry / SECRET).unlink()
    quiet()
    with pytest.raises(NotYet):
        take(tmp_path / "inbound", os.fsencode(entry.name), ROOT_ONLY, tmp_path / "copy")


def test_the_time_is_never_earlier_than_the_content_copied_however_it_is_changed(tmp_path):
    entry = make_entry(tmp_path / "inbound", {"big.bin": "x" * 30_000_000})
    notebook = entry / "mse_gradient.ipynb"
    written: dict[str, float] = {}
    stop = threading.Event()

    def keep_changing() -> None:
        version = 0
        while not stop.is_set() and version < 400:
            version += 1
            notebook.write_text(f"v{version}")
            written[f"v{version}"] = os.stat(notebook).st_ctime
            time.sleep(0.002)

    notebook.write_text("v0")
    written["v0"] = os.stat(notebook).st_ctime
    old = time.time() - 10
    os.utime(entry, (old, old))
    quiet()
    changer = threading.Thread(target=keep_changing)
    changer.start()
    rules = Rules(frozenset({0}), 10**8)
    copies = []
    try:
        for attempt in range(5):
            target = tmp_path / f"copy{attempt}"
            try:
                taken = take(tmp_path / "inbound", os.fsencode(entry.name), rules, target)
            except (Refused, NotYet):
                continue
            copies.append((taken, target, (target / "mse_gradient.ipynb").read_text()))
    finally:
        stop.set()
        changer.join()
    notebook.write_text("changed afterwards")
    for taken, target, content in copies:
        assert taken.submitted.timestamp() >= written[content] - 1e-6  # microseconds kept
        assert (target / "mse_gradient.ipynb").read_text() == content
