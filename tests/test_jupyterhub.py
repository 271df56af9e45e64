"""The course on a real JupyterHub: PAM login for Unix accounts, a local process per user
from the students' environment, nbgrader's extensions set up per user as nbgrader's
documentation advises (students get the Assignments tab only, the instructor formgrader),
and ``gradelab serve`` as a service the hub runs. In Chromium, through the hub's login page,
a student fetches, answers, submits and reads graded feedback; the instructor grades the
written answer in formgrader, and the student's feedback then shows that grade."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lab_answers import LAB_SETTINGS
from nbgrader.api import Gradebook
from serving import serve_course, wait_until

from gradelab.course import Course
from gradelab.selftest import scratch_course

pytestmark = [pytest.mark.slow, pytest.mark.serial]

ASSIGNMENT = "learning_rate"
STUDENT, OTHER, INSTRUCTOR = "glh-ann", "glh-ben", "glh-ins"
REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PROXY = REPO / "build" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "docs" / "screenshots"
ESSAY = (
    "Each step multiplies the error along the steepest direction by 1 - alpha lambda_max; "
    "past 2 / lambda_max that factor is below -1, so the error flips sign and grows."
)
STABLE_RATE = """def largest_stable_rate(X):
    X = np.asarray(X, dtype=float)
    return float(2.0 / np.linalg.eigvalsh((2.0 / len(X)) * X.T @ X)[-1])"""
COMMENT = "Right; also say why scaling the features helps."
#: What nbgrader's documentation has students run so that they see the Assignments tab only.
STUDENT_ONLY = [
    ["jupyter", "labextension", "disable", "--level=user", "@jupyter/nbgrader:formgrader"],
    ["jupyter", "labextension", "disable", "--level=user", "@jupyter/nbgrader:create-assignment"],
    ["jupyter", "labextension", "disable", "--level=user", "@jupyter/nbgrader:course-list"],
]
#: The server extensions off as well. ``jupyter server extension disable --user`` writes
#: nothing here (its check cannot find nbgrader's extensions), so its file is written instead.
STUDENT_SERVER = {
    "ServerApp": {
        "jpserver_extensions": {
            "nbgrader.server_extensions.formgrader": False,
            "nbgrader.server_extensions.course_list": False,
        }
    }
}


@dataclass(frozen=True)
class Account:
    name: str
    password: str

    @property
    def home(self) -> Path:
        return Path("/home") / self.name


def add_account(name: str) -> Account:
    """A Unix account whose home only its owner may read, with a password PAM checks."""
    remove_account(name)
    command = ["useradd", "--create-home", "-K", "HOME_MODE=0700", "--shell", "/bin/bash", name]
    subprocess.run(command, check=True, capture_output=True)
    account = Account(name, secrets.token_urlsafe(12))
    subprocess.run(["chpasswd"], input=f"{name}:{account.password}\n", text=True, check=True)
    return account


def remove_account(name: str) -> None:
    subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    subprocess.run(["userdel", "--remove", name], capture_output=True)


def run_as(account: Account, env: Path, *command: str) -> None:
    environment = [f"HOME={account.home}", f"USER={account.name}", f"PATH={env}/bin:/usr/bin:/bin"]
    subprocess.run(
        ["runuser", "-u", account.name, "--", "env", "-i", *environment, *command],
        cwd=account.home,
        check=True,
        capture_output=True,
    )


def give(account: Account, relative: str, text: str) -> None:
    """Write a file into the account's home, owned by the account."""
    path = account.home / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    for part in [path, *path.relative_to(account.home).parents]:
        shutil.chown(account.home / part, account.name, account.name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hub_config(course: Course, exchange: Path, env: Path, port: int, users: list[str]) -> str:
    """``jupyterhub_config.py``: PAM, a local process per user, ``gradelab serve`` as a
    service (as docs/deploy.md gives it)."""
    settings = {
        "JupyterHub.bind_url": f"http://127.0.0.1:{port}",
        "JupyterHub.hub_ip": "127.0.0.1",
        "JupyterHub.hub_port": free_port(),
        "ConfigurableHTTPProxy.command": [str(PROXY)],
        "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{free_port()}",
        "JupyterHub.authenticator_class": "pam",
        "PAMAuthenticator.open_sessions": False,
        "Authenticator.allowed_users": set(users),
        "JupyterHub.spawner_class": "jupyterhub.spawner.LocalProcessSpawner",
        "Spawner.cmd": [str(env / "bin" / "jupyterhub-singleuser")],
        "Spawner.default_url": "/lab",
        "Spawner.environment": {"PATH": f"{env}/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
        "Spawner.start_timeout": 120,
        "Spawner.http_timeout": 120,
        "JupyterHub.services": [
            {
                "name": "gradelab",
                "command": [str(BIN / "gradelab"), "serve", ASSIGNMENT],
                "cwd": str(course.root),
                "environment": {
                    "GRADELAB_EXCHANGE": str(exchange),
                    "PATH": f"{BIN}:/usr/bin:/bin",
                },
            }
        ],
    }
    lines = ["c = get_config()  # noqa: F821"]
    lines += [f"c.{name} = {value!r}" for name, value in settings.items()]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def running_hub(folder: Path, config: str, url: str) -> Iterator[Path]:
    """JupyterHub run as root from ``folder``, with Ctrl-C's default action and a session of
    its own; stopped with SIGTERM. Its log."""
    (folder / "jupyterhub_config.py").write_text(config)
    log = folder / "hub.log"
    with log.open("wb") as output:
        hub = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(folder / "jupyterhub_config.py")],
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PATH": f"{BIN}:/usr/bin:/bin"},
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert hub.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{url}/hub/api/", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        yield log
    finally:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
            hub.wait(timeout=30)


@pytest.fixture(scope="module")
def hub(course, student_env) -> Iterator[tuple]:
    """Three hub users with Unix accounts (two students, an instructor who owns the course),
    the course served by the hub's ``gradelab serve``; the hub's URL and log."""
    shared = Path(tempfile.mkdtemp(prefix="gradelab-hub-", dir="/var/tmp"))
    shared.chmod(0o755)
    exchange = shared / "exchange"
    names = [STUDENT, OTHER, INSTRUCTOR]
    try:
        accounts = {name: add_account(name) for name in names}
        instructor = accounts[INSTRUCTOR]
        with scratch_course(course, keep=instructor.home / "course") as served:
            serve_course(served, exchange, {}, [ASSIGNMENT])
            served = Course.load(served.root)
            subprocess.run(["chown", "-R", f"{INSTRUCTOR}:{INSTRUCTOR}", str(served.root)])
            served.root.chmod(0o700)  # the instructor's alone, as docs/deploy.md says
            student_config = (
                f"c = get_config()\nc.CourseDirectory.course_id = {served.course_id!r}\n"
                f"c.Exchange.root = {str(exchange)!r}\n"
            )
            for account in accounts.values():
                for name, values in LAB_SETTINGS.items():
                    give(account, f".jupyter/lab/user-settings/{name}", json.dumps(values))
            for name in (STUDENT, OTHER):
                give(accounts[name], ".jupyter/nbgrader_config.py", student_config)
                for command in STUDENT_ONLY:
                    run_as(accounts[name], student_env, *command)
                server = json.dumps(STUDENT_SERVER)
                give(accounts[name], ".jupyter/jupyter_server_config.json", server)
            give(
                instructor,
                ".jupyter/nbgrader_config.py",
                student_config
                + f"c.CourseDirectory.root = {str(served.root)!r}\n"
                + f"c.CourseDirectory.db_url = {served.db_url!r}\n",
            )
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            config = hub_config(served, exchange, student_env, port, names)
            with running_hub(shared, config, url) as log:
                yield served, accounts, url, log
    finally:
        for name in names:
            remove_account(name)
        shutil.rmtree(shared, ignore_errors=True)


def keep(page, name: str, folder: Path) -> None:
    page.screenshot(path=folder / name)
    if os.environ.get("GRADELAB_README_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / name, SCREENSHOTS / name)


def log_in(page, url: str, account: Account) -> None:
    page.goto(f"{url}/hub/login")
    page.fill("#username_input", account.name)
    page.fill("#password_input", account.password)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{account.name}/lab**", timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for()


def nbgrader_menu(page) -> set[str]:
    """The items of JupyterLab's Nbgrader menu, which is left open."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel").first.wait_for()
    labels = page.locator(".lm-Menu-itemLabel").all()
    return {label.inner_text().strip() for label in labels if label.is_visible()}


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def fetch_feedback_until(page, student: Account, words: str) -> None:
    """In the Assignments tab: refresh and fetch feedback until the fetched page has
    ``words``."""
    submitted = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT)
    available = submitted.get_by_text("(feedback available to fetch)")
    pages = student.home / ASSIGNMENT / "feedback"
    page.locator(".lm-TabBar-tab", has_text="Assignments").click()
    deadline = time.monotonic() + 60
    while not any(words in page_text(p) for p in pages.glob("*/*.html")):
        assert time.monotonic() < deadline, f"no feedback with {words!r} 60 s after submitting"
        page.locator("#refresh_assignments_list").click()
        page.wait_for_timeout(500)
        if available.count():
            submitted.first.get_by_role("button", name="Fetch Feedback").click()
            page.wait_for_timeout(500)


def open_feedback(page):
    """The fetched feedback page, opened afresh in JupyterLab's HTML viewer."""
    for tab in page.locator(".lm-TabBar-tab", has_text=f"{ASSIGNMENT}.html").all():
        tab.locator(".lm-TabBar-tabCloseIcon").click()
    page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).get_by_text(
        "(view feedback)"
    ).click()
    page.locator(".jp-DirListing-item", has_text=f"{ASSIGNMENT}.html").dblclick()
    return page.frame_locator(".jp-HTMLViewer iframe")


def test_a_student_and_the_instructor_through_the_hub(hub, tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"needs {CHROMIUM}: apt-get install chromium (make test does it as root)")
    expect.set_options(timeout=60_000)
    served, accounts, url, log = hub
    ann, ins = accounts[STUDENT], accounts[INSTRUCTOR]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        wrong = browser.new_page()
        wrong.goto(f"{url}/hub/login")
        wrong.fill("#username_input", OTHER)
        wrong.fill("#password_input", "not the password")
        wrong.click("#login_submit")
        expect(wrong.get_by_text("Invalid username or password")).to_be_visible()

        student = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
        student.set_default_timeout(60_000)
        log_in(student, url, ann)
        items = nbgrader_menu(student)
        assert "Assignment List" in items
        assert not items & {"Formgrader", "Course List", "Create assignment"}, items
        student.locator(".lm-Menu-itemLabel").get_by_text("Assignment List", exact=True).click()
        assert student.request.get(f"{url}/user/{STUDENT}/formgrader").status == 404

        released = student.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
        released.get_by_role("button", name="Fetch").click()
        fetched = student.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT)
        fetched.first.locator("a.assignment-notebooks-link").click()
        student.locator(f"#nbgrader-{served.course_id}-{ASSIGNMENT} .nested_list_item a").filter(
            has_text=ASSIGNMENT
        ).click()
        code = student.locator(".jp-CodeCell", has_text="def largest_stable_rate(X)")
        code.locator(".cm-content").click()
        student.keyboard.press("Control+A")
        student.keyboard.insert_text(STABLE_RATE)
        essay = student.locator(".jp-MarkdownCell", has_text="YOUR ANSWER HERE")
        essay.dblclick()
        essay.locator(".cm-content").click()
        student.keyboard.press("Control+A")
        student.keyboard.insert_text(ESSAY)
        student.keyboard.press("Control+s")
        dirty = student.locator(".lm-TabBar-tab.jp-mod-dirty", has_text=f"{ASSIGNMENT}.ipynb")
        expect(dirty).to_have_count(0)
        student.locator(".lm-TabBar-tab", has_text="Assignments").click()
        fetched.first.get_by_role("button", name="Submit").click()
        try:
            fetch_feedback_until(student, ann, "awaiting grading")
        except AssertionError as error:  # what the hub and its service said meanwhile
            said = [line for line in log.read_text().splitlines() if "ServerApp]" not in line]
            raise AssertionError("\n".join([str(error), *said[-60:]])) from None
        feedback = open_feedback(student)
        expect(feedback.locator("section#explain_stability")).to_contain_text("awaiting grading")
        expect(feedback.locator("section#test_largest_stable_rate")).to_contain_text(
            "2 of 2 points"
        )
        feedback.locator("section#explain_stability").scroll_into_view_if_needed()
        keep(student, "hub-feedback-awaiting.png", tmp_path)

        teacher = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
        teacher.set_default_timeout(60_000)
        log_in(teacher, url, ins)
        assert "Formgrader" in nbgrader_menu(teacher)
        teacher.locator(".lm-Menu-itemLabel").get_by_text("Formgrader", exact=True).click()
        expect(teacher.locator(".lm-TabBar-tab", has_text="Formgrader")).to_be_visible()
        keep(teacher, "hub-formgrader.png", tmp_path)
        teacher.goto(f"{url}/user/{INSTRUCTOR}/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
        waiting = teacher.locator("tr", has=teacher.locator("td[data-search='needs manual grade']"))
        expect(waiting).to_have_count(1)  # the student's submission, listed to grade
        waiting.locator("a").first.click()
        teacher.wait_for_load_state("networkidle")  # the grades and comments loaded
        teacher.fill("input#explain_stability", "1.5")
        teacher.keyboard.press("Tab")
        teacher.fill("textarea#explain_stability-comment", COMMENT)
        teacher.keyboard.press("Tab")
        keep(teacher, "hub-formgrader-grading.png", tmp_path)

        def graded() -> bool:
            with Gradebook(served.db_url, served.course_id) as gradebook:
                grade = gradebook.find_grade("explain_stability", ASSIGNMENT, ASSIGNMENT, STUDENT)
                comment = gradebook.find_comment(
                    "explain_stability", ASSIGNMENT, ASSIGNMENT, STUDENT
                )
                return grade.manual_score == 1.5 and comment.manual_comment == COMMENT

        wait_until(graded, 30, "formgrader's grade in the gradebook")
        fetch_feedback_until(student, ann, COMMENT)
        feedback = open_feedback(student)
        section = feedback.locator("section#explain_stability")
        expect(section).to_contain_text("1.5 of 2 points")
        expect(section).to_contain_text(COMMENT)
        section.scroll_into_view_if_needed()
        keep(student, "hub-feedback-graded.png", tmp_path)
        browser.close()
    assert f"released {STUDENT}/{ASSIGNMENT} again: a hand grade changed" in log.read_text()
