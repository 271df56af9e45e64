"""The student experience in a real browser: JupyterLab serves the release notebook, headless
Chromium types into it, runs the public checks and previews a typed answer."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from chromium import chromium, first_page, require_chromium
from lab_answers import LAB_SETTINGS, RIGHT
from playwright.sync_api import Locator, Page, expect, sync_playwright

from gradelab.course import Course
from gradelab.grading.grade_notebook import is_test_cell
from gradelab.grading.sample_submission import submission_notebook
from gradelab.selftest.samples import samples

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "docs" / "screenshots"
NOTEBOOK = "mse_gradient.ipynb"
COURSE = ["gradients", "mse_gradient", "update_step", "learning_rate", "sgd_logistic"]
TIMEOUT_S = 60
TIMEOUT_MS = TIMEOUT_S * 1000

SIGN_FLIPPED = RIGHT.replace("(X @ w - y)", "(y - X @ w)")
PREVIEW = (
    "from gradelab.student.preview import preview\n\n"
    'preview("-2/n*sum(x_i*(y_i - w*x_i - b), i)", ["w", "b", "n", "x_i", "y_i"])'
)


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab server."""

    url: str
    token: str

    def tree(self, name: str) -> str:
        """The address that opens ``name`` alone, in a workspace of its own, logged in."""
        workspace = Path(name).stem
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={self.token}"


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(lab: Lab, process: subprocess.Popen, log: Path) -> None:
    """Return once the server answers its status API; fail with its log otherwise."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"JupyterLab did not answer within {TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def serve(folder: Path, workdir: Path) -> Iterator[Lab]:
    """JupyterLab with this venv's kernel serving ``folder``; its state lives in ``workdir``."""
    settings = workdir / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "JUPYTER_CONFIG_DIR": str(workdir / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(workdir / "lab-workspaces"),
    }
    port = free_port()
    server = Lab(url=f"http://127.0.0.1:{port}", token=secrets.token_hex(16))
    log = workdir / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={server.token}",
        f"--ServerApp.root_dir={folder}",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(server, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def lab(released_course: Course, tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab serving a copy of the mse_gradient release notebook."""
    folder = tmp_path / "mse_gradient"
    folder.mkdir()
    shutil.copytree(released_course.release_folder("mse_gradient"), folder, dirs_exist_ok=True)
    with serve(folder, tmp_path) as server:
        yield server


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    """A page of headless Chromium with a fresh profile."""
    require_chromium()
    with (
        sync_playwright() as playwright,
        chromium(playwright, tmp_path, viewport={"width": 1280, "height": 860}) as browser,
    ):
        yield first_page(browser)


def write(cell: Locator, code: str) -> None:
    """Replace the text of a code cell as a student would: select all, then type."""
    editor = cell.locator(".cm-content")
    editor.click()
    cell.page.keyboard.press("Control+A")
    cell.page.keyboard.insert_text(code)
    expect(editor).to_contain_text(code.splitlines()[-1].strip(), timeout=TIMEOUT_MS)


def run(cell: Locator) -> str:
    """Run a code cell with Shift+Enter, wait for its new execution count, return its output."""
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    cell.locator(".cm-content").click()
    cell.page.keyboard.press("Shift+Enter")
    expect(prompt).not_to_have_text(before, timeout=TIMEOUT_MS)
    expect(prompt).to_have_text(re.compile(r"\[\d+\]:"), timeout=TIMEOUT_MS)
    return cell.locator(".jp-OutputArea").inner_text()


def screenshot(page: Page, cell: Locator, name: str, artifacts: Path) -> None:
    """Scroll ``cell`` to the top of the notebook and save the window as ``name``; with
    GRADELAB_README_SCREENSHOTS=1 also as the README's copy in docs/screenshots."""
    cell.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.screenshot(path=artifacts / name)
    if os.environ.get("GRADELAB_README_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy2(artifacts / name, SCREENSHOTS / name)


def test_a_student_runs_the_public_checks_and_a_preview_in_jupyterlab(
    lab: Lab, page: Page, tmp_path: Path
) -> None:
    artifacts = tmp_path / "screenshots"
    artifacts.mkdir()
    page.goto(lab.tree(NOTEBOOK))
    kernel = page.locator(".jp-StatusBar-Item", has_text="Python 3 (ipykernel) | Idle")
    expect(kernel, "the notebook's kernel is not idle").to_be_visible(timeout=TIMEOUT_MS)
    validate = page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True)
    expect(validate, "nbgrader's Validate button is missing").to_be_visible()
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()

    setup = page.locator(".jp-CodeCell").filter(
        has=page.locator(".cm-content", has_text=re.compile(r"^import numpy as np$"))
    )
    answer = page.locator(".jp-CodeCell", has_text="def compute_gradient(X, y, w)")
    checks = answer.locator("xpath=following-sibling::div[contains(@class, 'jp-CodeCell')][1]")
    expect(answer, "no blank compute_gradient cell").to_contain_text(
        "YOUR CODE HERE", timeout=TIMEOUT_MS
    )
    expect(checks, "no public checks below it").to_contain_text(
        "check_compute_gradient(compute_gradient)"
    )
    run(setup)

    write(answer, RIGHT)
    run(answer)
    output = run(checks)
    assert "All public checks passed" in output, output
    screenshot(page, answer, "public-checks-pass.png", artifacts)

    write(answer, SIGN_FLIPPED)
    run(answer)
    output = run(checks)
    assert "opposite sign" in output, output
    assert "CheckFailed: 1 public check(s) failed" in output, output
    screenshot(page, answer, "public-checks-sign.png", artifacts)

    checks.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    new = checks.locator("xpath=following-sibling::div[contains(@class, 'jp-Cell')][1]")
    expect(new).to_have_class(re.compile(r"\bjp-CodeCell\b"))
    write(new, PREVIEW)
    output = run(new)
    assert "This is how we read your answer" in output, output
    formula = new.locator(".jp-OutputArea mjx-container").first
    expect(formula, "MathJax did not render the reading").to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, new, "preview.png", artifacts)


def test_each_release_notebook_worked_through_in_jupyterlab(
    released_copy, page: Page, tmp_path: Path
) -> None:
    """Each release notebook with right answers typed in: Run All Cells in JupyterLab runs
    without an error and every public check passes."""
    folder = tmp_path / "course"
    for assignment in COURSE:  # each in its folder, as released, with its public modules
        course = released_copy(assignment)
        shutil.copytree(course.release_folder(assignment), folder / assignment)
        reference = next(s for s in samples(course, assignment) if s.student == "reference")
        text = submission_notebook(course, assignment, assignment, reference)
        (folder / assignment / f"{assignment}.ipynb").write_text(text)
    with serve(folder, tmp_path) as lab:
        for assignment in COURSE:
            run_all_cells(page, lab, folder, f"{assignment}/{assignment}.ipynb", tmp_path)


def run_all_cells(page: Page, lab: Lab, root: Path, notebook: str, artifacts: Path) -> None:
    """Open ``notebook`` (a path under the served ``root``), run all its cells from the Run
    menu, check what they printed."""
    test_cells = sum(1 for cell in nbformat.read(root / notebook, 4).cells if is_test_cell(cell))
    page.goto(lab.tree(notebook))
    idle = page.locator(".jp-StatusBar-Item", has_text="Python 3 (ipykernel) | Idle")
    expect(idle).to_be_visible(timeout=TIMEOUT_MS)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
    expect(prompts.filter(has_text="[ ]")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(prompts.filter(has_text="[*]")).to_have_count(0, timeout=3 * TIMEOUT_MS)
    expect(idle).to_be_visible(timeout=TIMEOUT_MS)
    stderr = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    errors = page.locator(stderr)
    passed = page.locator(".jp-OutputArea-output").filter(has_text="All public checks passed")
    assert errors.count() == 0, [errors.nth(i).inner_text()[:300] for i in range(errors.count())]
    assert passed.count() >= test_cells, notebook
    page.screenshot(path=artifacts / f"{Path(notebook).stem}.png")


def test_feedback_typesets_its_formulas_with_the_network_off(
    released_course: Course, page: Page, tmp_path: Path
) -> None:
    """A student opens their feedback offline: the formulas are typeset (MathML laid out by
    the browser, fractions stacked), nothing is fetched, each message wraps in the page."""
    from gradelab.autograde.run import autograde
    from gradelab.feedback.write import write_feedback
    from gradelab.selftest.samples import place_samples

    listed = [s for s in samples(released_course, "mse_gradient") if s.student == "sign_flipped"]
    place_samples(released_course, "mse_gradient", listed)
    autograde(released_course, "mse_gradient", "sign_flipped", force=True, weak=False)
    write_feedback(released_course, "mse_gradient")
    feedback = released_course.feedback_folder("sign_flipped", "mse_gradient") / NOTEBOOK.replace(
        ".ipynb", ".html"
    )
    fetched: list[str] = []
    page.context.set_offline(True)
    page.route(
        re.compile(r"^(?!file:).*"),
        lambda route: (fetched.append(route.request.url), route.abort()),
    )
    page.set_viewport_size({"width": 900, "height": 1300})
    page.goto(feedback.as_uri())
    fraction = page.locator("math mfrac").first
    expect(fraction).to_be_visible(timeout=TIMEOUT_MS)
    top, bottom = (fraction.locator(":scope > *").nth(k).bounding_box() for k in (0, 1))
    assert top["y"] + top["height"] <= bottom["y"] + 1, "the fraction is not stacked"
    assert page.locator("math").count() >= 10 and fetched == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert "the sign is flipped" in page.locator("ul.tests").first.inner_text()
    page.screenshot(path=tmp_path / "feedback.png")
    if os.environ.get("GRADELAB_README_SCREENSHOTS"):
        shutil.copy2(tmp_path / "feedback.png", SCREENSHOTS / "feedback.png")


def test_the_report_in_chromium_leads_to_the_flagged_question(
    planted_class: Course, page: Page, tmp_path: Path
) -> None:
    """An instructor opens the report of a class graded with a wrong key, offline: its charts
    are drawn, the one flagged question leads to its section, a student's row to their
    feedback; nothing is fetched and the page's policy blocks nothing it needs."""
    from planted_batch import ASSIGNMENT, BROKEN

    from gradelab.report import write_report
    from gradelab.report.charts import score_bins
    from gradelab.report.submissions import read_submissions

    report = write_report(planted_class, ASSIGNMENT)
    fetched: list[str] = []
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.context.set_offline(True)
    page.route(
        re.compile(r"^(?!file:).*"),
        lambda route: (fetched.append(route.request.url), route.abort()),
    )
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(report.as_uri())
    flags = page.locator("ul.flags li")
    expect(flags).to_have_count(1)
    expect(flags.first.locator("a")).to_have_attribute("href", f"#q-{BROKEN}")
    expect(flags.first).to_contain_text("2. One feature")  # the question's title
    charts = page.locator("figure svg")
    expect(charts).to_have_count(1 + page.locator("section.question").count())
    total = charts.first.bounding_box()
    assert total["width"] > 400 and total["height"] > 120
    texts = charts.first.locator("text").evaluate_all("all => all.map(t => t.textContent)")
    totals = [
        s.total for s in read_submissions(planted_class, ASSIGNMENT).submissions if s.attempted
    ]
    counts = [str(b.count) for b in score_bins(totals, 22) if b.count]
    assert "total score (of 22 points)" in texts and "submissions" in texts
    assert all(texts.count(n) >= counts.count(n) for n in counts), (counts, texts)
    page.screenshot(path=tmp_path / "report.png")
    if os.environ.get("GRADELAB_README_SCREENSHOTS"):
        shutil.copy2(tmp_path / "report.png", SCREENSHOTS / "report.png")

    flags.first.locator("a").click()
    expect(page.locator(f"#q-{BROKEN}")).to_be_in_viewport()
    row = page.locator("#students tr", has_text="student23")
    row.get_by_role("link", name="feedback").click()
    expect(page.locator("header h1")).to_have_text(ASSIGNMENT)
    expect(page).to_have_url(re.compile(rf"feedback/student23/{ASSIGNMENT}/"))
    assert "late" in page.locator("header").inner_text()
    assert fetched == [] and problems == [], (fetched, problems)
