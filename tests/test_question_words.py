"""Feedback and reports in the student's and the instructor's words: a quiz's feedback shows
the question as the student was asked it, with their numbers; questions are named by their
titles; one student's variant can be previewed with its key; the report lists what students
typed, one answer is named as a mistake from the command line and the regrade is previewed;
selftest says why a sample is off, cell by cell."""

import html
import json
import os
import re
import shutil
import tomllib
from types import SimpleNamespace

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell
from playwright.sync_api import expect
from test_browser import SCREENSHOTS, page  # noqa: F401 - the Chromium page fixture

from gradelab.feedback.question_titles import titles_in
from gradelab.grading.sample_submission import Sample
from gradelab.questions.draw import draw, key_text
from gradelab.questions.spec import read_quiz
from gradelab.selftest import scratch_course, selftest, verdict_table, verdicts_data
from gradelab.selftest.samples import place_samples

QUIZ = "words"
QUIZ_TOML = """\
# Two questions; the comments stay when a mistake is added.
title = "Derivatives in words"

[[question]]
id = "d_square"
title = "Differentiate a square"
kind = "expression"
points = 2
prompt = "Differentiate $(7x+3)^2$ with respect to $x$."
variables = ["x"]
answer = "14*(7x+3)"  # the chain rule

[[question]]
id = "power_rule"
title = "The power rule"
kind = "expression"
points = 2
prompt = "Differentiate $f(x) = {a}\\\\,x^{{k}}$ with respect to $x$."
variables = ["x"]
answer = "a*k*x^(k-1)"
[question.params]
a = [2, 9]
k = { choice = [2, 3, 4] }
[[question.mistake]]
answer = "a*x^(k-1)"
feedback = "The power rule also multiplies by the exponent."
score = 0.5
"""
CHAIN = "The chain rule: times the inner derivative, 7."


def cells(student: str, answers: dict[str, str]) -> dict[str, str]:
    found = {"student_id": f"STUDENT_ID = {json.dumps(student)}"}
    return found | {name: f"{name} = {json.dumps(text)}" for name, text in answers.items()}


@pytest.fixture(scope="module")
def graded(course, gradelab):
    """A scratch course with the quiz released and five students graded: ann and ben type
    the same unnamed wrong answer two ways, cat is right, carol makes the declared mistake."""
    with scratch_course(course) as scratch:
        (scratch.source_folder(QUIZ)).mkdir(parents=True)
        (scratch.source_folder(QUIZ) / "quiz.toml").write_text(QUIZ_TOML)
        run = gradelab("release", QUIZ, cwd=scratch.root)
        assert run.returncode == 0, run.stdout + run.stderr
        quiz = read_quiz(scratch.source_folder(QUIZ) / "quiz.toml")
        power = quiz.question("power_rule")

        def key(student: str) -> str:
            return key_text(power, draw(power, scratch.course_id, QUIZ, student))

        a, k = draw(power, scratch.course_id, QUIZ, "carol").values()
        students = {
            "ann": {"d_square": "2(7x+3)", "power_rule": key("ann")},
            "ben": {"d_square": "14x + 6", "power_rule": key("ben")},
            "cat": {"d_square": "98x+42", "power_rule": key("cat")},
            "carol": {"d_square": "98x+42", "power_rule": f"{a}x^{k - 1}"},
        }
        place_samples(
            scratch, QUIZ, [Sample(s, None, "", cells(s, a)) for s, a in students.items()]
        )
        run = gradelab("-q", "autograde", QUIZ, "--json", cwd=scratch.root)
        assert run.returncode == 0, run.stdout + run.stderr
        assert gradelab("feedback", QUIZ, cwd=scratch.root).returncode == 0
        yield SimpleNamespace(course=scratch, autograde=json.loads(run.stdout), stderr=run.stderr)


def feedback_page(scratch, student: str) -> str:
    """The feedback page of ``student``'s quiz."""
    return (scratch.feedback_folder(student, QUIZ) / f"{QUIZ}.html").read_text()


def test_a_question_is_titled_by_the_heading_above_it_as_the_author_numbered_it():
    def test_cell(grade_id: str):
        meta = {"grade": True, "solution": False, "grade_id": grade_id, "points": 1}
        return new_code_cell("", metadata={"nbgrader": meta})

    cells = [
        test_cell("test_first"),
        new_markdown_cell("# Momentum\n\n## 1. One step (2 points)"),
        test_cell("test_step"),
        new_markdown_cell("## 2. Two steps\nSome words."),
        test_cell("test_two_a"),
        new_markdown_cell("No heading here."),
        test_cell("test_two_b"),
    ]
    assert titles_in(cells) == {
        "test_first": "test_first",
        "test_step": "1. One step",
        "test_two_a": "2. Two steps (part 1)",
        "test_two_b": "2. Two steps (part 2)",
    }


def test_release_writes_the_quizs_public_part_into_release_not_source(graded):
    assert (graded.course.release_folder(QUIZ) / "quiz.json").is_file()
    assert not (graded.course.source_folder(QUIZ) / "quiz.json").exists()


def test_autograde_json_is_the_run_and_quiet_shows_no_progress_bar(graded):
    data = graded.autograde
    assert sorted(data["graded"]) == ["ann", "ben", "carol", "cat"]
    assert data["failed"] == {} and data["stopped"] is None
    assert data["scores"]["cat"]["score"] == 4
    assert data["scores"]["carol"]["questions"] == {"test_d_square": 2, "test_power_rule": 1}
    assert "submission/s" not in graded.stderr


def test_the_feedback_page_shows_the_question_with_the_students_numbers(graded):
    text = feedback_page(graded.course, "carol")
    a, k = draw(
        read_quiz(graded.course.source_folder(QUIZ) / "quiz.toml").question("power_rule"),
        graded.course.course_id,
        QUIZ,
        "carol",
    ).values()
    assert 'quiz.show("power_rule")' not in text
    asked = text.index(f"<mn>{a}</mn>")  # the prompt, typeset as MathML, with carol's a
    assert text.index("<mi>x</mi>", asked) < text.index(f"{a}x^{k - 1}")  # her answer below
    told = text.rindex("The power rule also multiplies by the exponent.")  # in its test cell
    assert asked < text.index(f"{a}x^{k - 1}") < told
    assert "<script" not in text


def test_questions_are_named_by_their_titles(graded):
    text = html.unescape(feedback_page(graded.course, "carol"))
    assert ">1. Differentiate a square<" in text and ">2. The power rule<" in text
    assert ">test_d_square<" not in text


def test_preview_shows_one_students_variant_with_its_key_and_mistakes(graded, gradelab):
    run = gradelab("preview", QUIZ, "--student", "carol", cwd=graded.course.root)
    assert run.returncode == 0, run.stderr
    text = html.unescape(
        (graded.course.root / "build" / "preview" / QUIZ / "carol.html").read_text()
    )
    power = read_quiz(graded.course.source_folder(QUIZ) / "quiz.toml").question("power_rule")
    numbers = draw(power, graded.course.course_id, QUIZ, "carol")
    assert key_text(power, numbers) in text
    assert "The power rule also multiplies by the exponent." in text
    assert f"a = {numbers['a']}, k = {numbers['k']}" in text
    assert not (graded.course.release_folder(QUIZ) / "carol.html").exists()


def test_the_report_lists_what_students_typed_most_frequent_first(graded, gradelab):
    run = gradelab("report", QUIZ, "--json", cwd=graded.course.root)
    assert run.returncode == 0, run.stderr
    questions = {q["question"]: q for q in json.loads(run.stdout)["questions"]}
    typed = questions["test_d_square"]["responses"]
    assert questions["test_d_square"]["title"] == "1. Differentiate a square"
    # 2(7x+3) and 14x + 6 are one answer, typed by two students; then the key, by two
    assert [(r["students"], r["score"]) for r in typed] == [(2, 0.0), (2, 2.0)]
    assert typed[0]["answer"] in ("2(7x+3)", "14x + 6")
    text = (graded.course.root / "gradebook" / f"report_{QUIZ}.html").read_text()
    assert "What students typed" in text and "gradelab mistake add" in text


def test_a_typed_answer_becomes_a_named_mistake_and_the_regrade_is_previewed(graded, gradelab):
    path = graded.course.source_folder(QUIZ) / "quiz.toml"
    before = path.read_text()
    refused = gradelab(
        "mistake", "add", QUIZ, "d_square", "98x+42", "--feedback", "no", cwd=graded.course.root
    )
    assert refused.returncode != 0 and "equals the key" in refused.stderr
    assert path.read_text() == before
    run = gradelab(
        "mistake", "add", QUIZ, "d_square", "2(7x+3)", "--feedback", CHAIN, "--score", "0.5",
        cwd=graded.course.root,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    text = path.read_text()
    assert text.startswith(before.split('\n[[question]]\nid = "power_rule"')[0])
    assert "# the chain rule" in text and "# Two questions" in text
    added = tomllib.loads(text)["question"][0]["mistake"]
    assert added == [{"answer": "2(7x+3)", "feedback": CHAIN, "score": 0.5}]
    preview = gradelab("autograde", QUIZ, "--force", "--dry-run", "--json", cwd=graded.course.root)
    assert preview.returncode == 0, preview.stderr
    changes = {c["student"]: c for c in json.loads(preview.stdout)["changes"]}
    assert sorted(changes) == ["ann", "ben"]
    assert (changes["ann"]["before"], changes["ann"]["after"]) == (2, 3)


def test_selftest_says_why_a_sample_is_off_cell_by_cell(graded, gradelab):
    listing = graded.course.hidden_suite(QUIZ) / "selftest.toml"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text(
        '[[wrong]]\nname = "chain_forgotten"\nscore = 4\nwhy = "forgets the inner 7"\n'
        "[wrong.cells]\nd_square = 'd_square = \"2(7x+3)\"'\n"
    )
    verdicts = selftest(graded.course, QUIZ)
    table = verdict_table(QUIZ, verdicts)
    row = re.search(r"chain_forgotten .*MISMATCH.*\n((?:      .*\n?)+)", table)
    assert row, table
    got = re.search(r"1\. Differentiate a square \(test_d_square\): got (\S+) of 2", row.group(1))
    assert got and float(got.group(1)) < 2, row.group(1)
    assert "[" in row.group(1) and "d_square: " in row.group(1)  # the failing test, its message
    assert not re.search(r"reference .*\n      ", table)  # a sample that is right: one line
    data = json.loads(json.dumps(verdicts_data(verdicts)))
    wrong = next(s for s in data if s["submission"] == "chain_forgotten")
    assert wrong["ok"] is False and wrong["expected"] == 4
    cell = next(c for c in wrong["cells"] if c["grade_id"] == "test_d_square")
    assert cell["got"] < 2 and cell["tests"][0]["message"].startswith("d_square: ")


@pytest.mark.slow
def test_the_quiz_feedback_and_the_answers_typed_in_chromium(graded, page, tmp_path):  # noqa: F811
    """Carol's feedback shows the question she was asked, typeset offline, above her answer
    and its verdict; the report's table of answers typed is laid out (README screenshots)."""
    from gradelab.report import write_report

    fetched: list[str] = []
    page.context.set_offline(True)
    page.route(
        re.compile(r"^(?!file:).*"),
        lambda route: (fetched.append(route.request.url), route.abort()),
    )
    page.set_viewport_size({"width": 900, "height": 900})
    page.goto((graded.course.feedback_folder("carol", QUIZ) / f"{QUIZ}.html").as_uri())
    asked = page.locator(".prompt").nth(1)
    expect(asked.locator("math").first).to_be_visible()
    verdict = page.locator("section.grade").nth(1)
    assert asked.bounding_box()["y"] < verdict.bounding_box()["y"]
    asked.evaluate("element => element.scrollIntoView({block: 'start'})")
    readme_screenshot(page, tmp_path, "quiz-feedback.png")
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(write_report(graded.course, QUIZ).as_uri())
    typed = page.locator("#responses")
    expect(typed.locator("tbody tr").first).to_be_visible()
    assert fetched == []
    typed.evaluate("element => element.scrollIntoView({block: 'start'})")
    readme_screenshot(page, tmp_path, "responses.png")


def readme_screenshot(window, tmp_path, name: str) -> None:
    """The window as ``name``; with GRADELAB_README_SCREENSHOTS=1 also the README's copy."""
    window.screenshot(path=tmp_path / name)
    if os.environ.get("GRADELAB_README_SCREENSHOTS"):
        shutil.copy2(tmp_path / name, SCREENSHOTS / name)
