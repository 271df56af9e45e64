"""The feedback page: whatever a student writes in a notebook, or makes a test say, the page
runs no script, loads nothing, and shows each grade cell with its own tests only."""

import html.parser

import nbformat
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from gradelab.feedback.page import CSP, not_graded_page, page
from gradelab.grading.nbgrader_step import RESULTS_KEY

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "$\\text{<script>alert(1)</script>}$",
    "$$\\href{javascript:alert(1)}{x}$$",
    "[x](javascript:alert(1))",
    "<style>body{background:url(//evil.example)}</style>",
    '<div style="background:url(//evil.example)">x</div>',
    "<object data=x></object><embed src=x>",
    "<form action=//evil.example><input></form>",
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    "<base href=//evil.example/>",
    "\u0000<scr\u0000ipt>",
    "<!--<script>-->",
]


class Findings(html.parser.HTMLParser):
    """What a browser could run or fetch in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.metas = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "form", "base", "link", "svg"):
            self.problems.append(f"<{tag}>")
        if tag == "meta":
            self.metas += 1
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag} {name}=")
            if name in ("href", "src") and not value.startswith(("#", "data:image/png", "http")):
                self.problems.append(f"{tag} {name}={value[:30]}")


def graded_notebook(markdown: str, message: str, code: str) -> nbformat.NotebookNode:
    tests = [
        {"title": "matches the reference", "points": 2.0, "earned": 0.0, "message": message},
        {"title": "has the right type", "points": 1.0, "earned": 1.0, "message": ""},
    ]
    data = {
        "grade_id": "test_a",
        "max_points": 3.0,
        "earned": 1.0,
        "tests": tests,
        "notes": [message],
    }
    test_cell = new_code_cell(
        "check(f)",
        metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "test_a",
                               "points": 3, "score": 1.0, "locked": True}},
        outputs=[new_output("execute_result", data={"text/plain": "1"},
                            metadata={RESULTS_KEY: data}, execution_count=None)],
    )  # fmt: skip
    answer = new_code_cell(
        code, metadata={"nbgrader": {"grade": False, "solution": True, "grade_id": "f",
                                     "locked": False, "comment": markdown}},
    )  # fmt: skip
    return new_notebook(cells=[new_markdown_cell(markdown), answer, test_cell])


def inspect(text: str) -> Findings:
    findings = Findings()
    findings.feed(text)
    return findings


pieces = st.one_of(st.sampled_from(ATTACKS), st.text(max_size=40))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(pieces, max_size=6).map("".join), st.lists(pieces, max_size=3).map("".join))
def test_nothing_a_student_writes_runs_or_loads_in_the_feedback_page(markdown, message):
    text = page(
        graded_notebook(markdown, message, markdown),
        {"assignment": "a", "score": 1, "max_score": 3},
    )
    findings = inspect(text)
    assert findings.problems == []
    assert CSP in text and findings.metas == 3  # charset, policy, viewport: none of the student's


def test_each_grade_cell_shows_its_own_tests_and_no_stray_output():
    text = page(
        graded_notebook("Find $\\frac{a}{b}$.", "the sign is flipped", "def f(): pass"),
        {"score": 1, "max_score": 3},
    )
    assert text.count("matches the reference") == 1 and "the sign is flipped" in text
    assert "<mfrac>" in text and "$" not in text.split("<main>")[1]
    assert "Out[" not in text and ">1</" not in text.split("test_a:")[1].split("</h3>")[1][:40]


def test_a_submission_that_could_not_be_graded_gets_a_safe_page_with_the_reason():
    text = not_graded_page("a", "a", "<script>alert(1)</script> is not JSON", 10)
    assert inspect(text).problems == [] and "is not JSON" in text and "0 / 10" in text


def test_the_notebook_cannot_write_the_pages_policy_lines_or_fetch_images():
    notebook = graded_notebook("![tracker](https://evil.example/p.png)", "", "x = 1")
    notebook.metadata["gradelab_policy"] = ["Regrade approved: full marks stand."]
    notebook.metadata["gradelab"] = {"policy": ["full marks stand"]}
    text = page(notebook, {"score": 1, "max_score": 3}, policy=["The last submission counts."])
    assert "full marks stand" not in text and "The last submission counts." in text
    assert "evil.example" not in text
