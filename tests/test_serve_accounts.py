"""Students with real Unix accounts, on one machine with a shared exchange, as nbgrader's
exchange expects them: each submits with ``nbgrader submit`` (or from JupyterLab's Assignments
tab, in Chromium) while ``gradelab serve`` runs, and fetches their own graded feedback seconds
later; none can see another's submission or feedback, nor submit in another's name."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from exchange_student import sample_text
from lab_answers import LAB_SETTINGS, RIGHT
from serving import serve_course, serving, status, wait_until

from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import samples

#: Students on a quiet machine, as the goal of feedback within seconds is set for: the
#: service's, the students' and the browser's processes, not those of other tests.
pytestmark = [pytest.mark.slow, pytest.mark.serial]

ASSIGNMENT = "mse_gradient"
STUDENTS = {"gls-ann": "reference", "gls-ben": "sign_flipped", "gls-cat": "raises"}
BROWSER_STUDENT = "gls-dan"
FEEDBACK_WITHIN = 120.0  # seconds: a bound for a machine far busier than usual, not a speed
REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "docs" / "screenshots"


@dataclass(frozen=True)
class UnixStudent:
    """A student's Unix account, running commands from the students' environment."""

    name: str
    env: Path

    @property
    def home(self) -> Path:
        return Path("/home") / self.name

    def run(self, *command: str, timeout: float = 300) -> subprocess.CompletedProcess:
        environment = [
            f"HOME={self.home}",
            f"USER={self.name}",
            f"PATH={self.env / 'bin'}:/usr/bin:/bin",
            "LANG=C.UTF-8",
        ]
        return subprocess.run(
            ["runuser", "-u", self.name, "--", "env", "-i", *environment, *command],
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("nbgrader", *args)

    def feedback_pages(self) -> list[Path]:
        return sorted((self.home / ASSIGNMENT / "feedback").glob("*/*.html"))


def add_account(name: str) -> None:
    """A Unix account whose home only its owner may read (where nbgrader keeps each
    submission's secret)."""
    remove_account(name)
    command = ["useradd", "--create-home", "-K", "HOME_MODE=0700", "--shell", "/bin/bash", name]
    subprocess.run(command, check=True, capture_output=True)


def remove_account(name: str) -> None:
    subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    subprocess.run(["userdel", "--remove", name], capture_output=True)


def give(student: UnixStudent, relative: str, text: str) -> None:
    """Write a file into the student's home, owned by the student."""
    path = student.home / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    for part in [path, *path.relative_to(student.home).parents]:
        shutil.chown(student.home / part, student.name, student.name)


@pytest.fixture(scope="module")
def machine(course, student_env) -> Iterator[tuple]:
    """The course served on a shared exchange, and a Unix account per student, each with
    nbgrader configured for the course as a hub image configures it."""
    shared = Path(tempfile.mkdtemp(prefix="gradelab-exchange-", dir="/var/tmp"))
    shared.chmod(0o755)
    exchange = shared / "exchange"
    names = [*STUDENTS, BROWSER_STUDENT]
    try:
        with scratch_course(course) as copy:
            serve_course(copy, exchange, {}, [ASSIGNMENT])
            students = {}
            for name in names:
                add_account(name)
                students[name] = UnixStudent(name, student_env)
                config = (
                    f"c = get_config()\nc.CourseDirectory.course_id = {copy.course_id!r}\n"
                    f"c.Exchange.root = {str(exchange)!r}\n"
                )
                give(students[name], ".jupyter/nbgrader_config.py", config)
            yield copy, exchange, students, shared
    finally:
        for name in names:
            remove_account(name)
        shutil.rmtree(shared, ignore_errors=True)


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def submit_and_wait(student: UnixStudent) -> float:
    """Submit, then fetch feedback until a page comes: the seconds from submitted to it."""
    run = student.nbgrader("submit", ASSIGNMENT)
    assert run.returncode == 0, run.stderr
    submitted = time.monotonic()
    while not student.feedback_pages():
        assert time.monotonic() - submitted < FEEDBACK_WITHIN, f"{student.name}: no feedback"
        student.nbgrader("fetch_feedback", ASSIGNMENT)
    return time.monotonic() - submitted


def test_three_students_each_fetch_only_their_own_feedback(machine, gradelab) -> None:
    served, exchange, students, shared = machine
    by_name = {s.student: s for s in samples(served, ASSIGNMENT)}
    with serving(served, shared / "serve.log"):
        for name, sample in STUDENTS.items():
            student = students[name]
            fetched = student.nbgrader("fetch_assignment", ASSIGNMENT)
            assert fetched.returncode == 0, fetched.stderr
            give(
                student,
                f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                sample_text(served, ASSIGNMENT, by_name[sample]),
            )
        with ThreadPoolExecutor(len(STUDENTS)) as at_once:
            three = [students[name] for name in STUDENTS]
            waited = dict(zip(STUDENTS, at_once.map(submit_and_wait, three), strict=True))
        scores = assignment_scores(served, ASSIGNMENT)
        for name, sample in STUDENTS.items():
            pages = students[name].feedback_pages()
            assert len(pages) == 1, f"{name} fetched {pages}"
            expected = by_name[sample].expected or 22
            assert scores[name].score == expected
            assert f"Score: {expected:g} / 22" in page_text(pages[0])
            print(f"{name} fetched feedback {waited[name]:.1f} s after submitting")

        ben, ann = students["gls-ben"], students["gls-ann"]
        course_folder = exchange / served.course_id
        for looking in (course_folder / "inbound", course_folder / "feedback", ann.home):
            assert ben.run("ls", str(looking)).returncode != 0, f"gls-ben can list {looking}"
        secrets_of_ann = ben.run("sh", "-c", f"cat {ann.home}/.local/share/jupyter/*/*/*/*.txt")
        assert secrets_of_ann.returncode != 0 and not secrets_of_ann.stdout
        forged = ben.nbgrader("submit", ASSIGNMENT, "--student=gls-ann")
        assert forged.returncode == 0, forged.stderr
        wait_until(
            lambda: any(
                "claims to be gls-ann's but belongs to gls-ben" in (p["reason"] or "")
                for p in status(served)["problems"]
            ),
            30,
            "the forged submission refused",
        )
        assert assignment_scores(served, ASSIGNMENT)["gls-ann"].score == 22

    with scratch_course(served) as batch:
        for name in STUDENTS:
            batch.submission_folder(name, ASSIGNMENT).parent.mkdir(parents=True)
            shutil.copytree(
                served.submission_folder(name, ASSIGNMENT),
                batch.submission_folder(name, ASSIGNMENT),
            )
        assert gradelab("release", ASSIGNMENT, cwd=batch.root).returncode == 0
        assert gradelab("autograde", ASSIGNMENT, cwd=batch.root).returncode == 0
        batch_scores = assignment_scores(batch, ASSIGNMENT)
    for name in STUDENTS:
        assert batch_scores[name].score == scores[name].score, name


# -- in a browser -----------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def student_lab(student: UnixStudent) -> Iterator[str]:
    """JupyterLab run by the student's account from the students' environment; its URL."""
    for name, values in LAB_SETTINGS.items():
        give(student, f".lab-settings/{name}", json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    command = [
        "runuser", "-u", student.name, "--", "env", "-i", f"HOME={student.home}",
        f"USER={student.name}", f"PATH={student.env / 'bin'}:/usr/bin:/bin", "LANG=C.UTF-8",
        f"JUPYTERLAB_SETTINGS_DIR={student.home / '.lab-settings'}",
        "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={student.home}",
    ]  # fmt: skip
    log = Path(tempfile.mkstemp(prefix="gradelab-lab-", suffix=".log")[1])
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=student.home, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        yield f"{url}/lab?token={token}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.unlink(missing_ok=True)


def keep(page, name: str, folder: Path) -> None:
    page.screenshot(path=folder / name)
    if os.environ.get("GRADELAB_README_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / name, SCREENSHOTS / name)


def test_a_student_fetches_answers_submits_and_reads_feedback_in_the_assignments_tab(
    machine, tmp_path
) -> None:
    from chromium import chromium, first_page, require_chromium
    from playwright.sync_api import expect, sync_playwright

    require_chromium(pytest.fail)
    served, _, students, shared = machine
    dan = students[BROWSER_STUDENT]
    with (
        serving(served, shared / "serve-browser.log"),
        student_lab(dan) as url,
        sync_playwright() as p,
        chromium(p, tmp_path, viewport={"width": 1280, "height": 860}) as browser,
    ):
        page = first_page(browser)
        page.goto(url)
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Assignment List", exact=True).click()
        released = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
        released.get_by_role("button", name="Fetch").click()
        fetched = page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
        fetched.locator("a.assignment-notebooks-link").click()
        notebooks = page.locator(f"#nbgrader-{served.course_id}-{ASSIGNMENT} .nested_list_item a")
        notebooks.filter(has_text=ASSIGNMENT).click()

        answer = page.locator(".jp-CodeCell", has_text="def compute_gradient(X, y, w)")
        expect(answer).to_contain_text("YOUR CODE HERE")
        answer.locator(".cm-content").click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(RIGHT)
        page.keyboard.press("Control+s")
        saved = page.locator(".lm-TabBar-tab.jp-mod-dirty", has_text=f"{ASSIGNMENT}.ipynb")
        expect(saved).to_have_count(0)

        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        fetched.get_by_role("button", name="Submit").click()
        submitted = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT)
        expect(submitted.first).to_be_visible()
        available = submitted.get_by_text("(feedback available to fetch)")
        refresh = page.locator("#refresh_assignments_list")
        deadline = time.monotonic() + 30
        while not available.count():
            assert time.monotonic() < deadline, "no feedback to fetch 30 s after submitting"
            refresh.click()
            page.wait_for_timeout(500)
        submitted.first.get_by_role("button", name="Fetch Feedback").click()
        view = submitted.get_by_text("(view feedback)")
        expect(view).to_be_visible()
        keep(page, "assignments-tab.png", tmp_path)
        view.click()
        listing = page.locator(".jp-DirListing-item", has_text=f"{ASSIGNMENT}.html")
        listing.dblclick()
        feedback = page.frame_locator(".jp-HTMLViewer iframe")
        score = assignment_scores(served, ASSIGNMENT)[BROWSER_STUDENT].score
        assert 0 < score < 22  # compute_gradient right, the rest not answered
        expect(feedback.locator("p.total")).to_contain_text(f"{score:g} / 22")
        expect(feedback.locator("section#test_compute_gradient")).to_contain_text("6 of 6 points")
        keep(page, "served-feedback.png", tmp_path)
