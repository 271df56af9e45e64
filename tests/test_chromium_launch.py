"""The browser tests' Chromium: two started at once both start, and share nothing with each
other or with any other Chromium of the user (see ``chromium.py``)."""

from pathlib import Path

import pytest
from chromium import chromium, first_page, require_chromium
from playwright.sync_api import sync_playwright

from gradelab.cli import build_parser

pytestmark = pytest.mark.slow


def processes_of(folder: Path) -> list[str]:
    """The process ids of the Chromium processes started with ``folder`` in their command."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(folder).encode() in (entry / "cmdline").read_bytes():
                found.append(entry.name)
        except OSError:  # ended meanwhile
            continue
    return found


def test_two_chromiums_at_once_each_start_and_keep_to_their_own_folders(tmp_path, monkeypatch):
    require_chromium()
    home = tmp_path / "home"  # the home every Chromium of this user would otherwise share
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    with (
        sync_playwright() as playwright,
        chromium(playwright, tmp_path / "first") as first,
        chromium(playwright, tmp_path / "second") as second,
    ):
        for browser in (first, second):
            page = first_page(browser)
            page.set_content("<p>started</p>")
            assert page.inner_text("p") == "started"
        for name in ("first", "second"):
            pids = processes_of(tmp_path / name)
            assert pids, f"no process of the {name} Chromium"
            for pid in pids:  # shared memory in its own temp folder, not in /dev/shm
                maps = Path(f"/proc/{pid}/maps").read_text()
                assert "/dev/shm/" not in maps, pid
    assert list(home.iterdir()) == []


def test_chromium_starts_in_a_test_process_that_ran_check_expr_before(tmp_path, capsys):
    """``gradelab check-expr`` bounds its process's memory while it checks; run inside a test
    worker, the worker must not keep that bound for the browsers it starts afterwards."""
    require_chromium()
    args = build_parser().parse_args(["check-expr", "2*x", "--expected", "x+x", "--vars", "x"])
    assert args.handler(args) == 0 and '"correct": true' in capsys.readouterr().out
    with sync_playwright() as playwright, chromium(playwright, tmp_path) as browser:
        page = first_page(browser)
        page.set_content("<p>started</p>")
        assert page.inner_text("p") == "started"
