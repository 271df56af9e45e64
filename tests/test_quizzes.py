"""Quizzes as data: the complete quiz of docs/authoring.md, written from the format alone, is
released, self-tested, keyed and graded in a scratch copy of the course, and its notebook's
checks run in a real kernel; a quiz whose numbers break for some student is refused, naming
the question and the numbers."""

import html
import json
import os
import re
from fractions import Fraction
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbclient import NotebookClient

from gradelab.grading.sample_submission import Sample
from gradelab.questions.draw import draw, typed
from gradelab.questions.judge import judge
from gradelab.questions.spec import QuizError, read_quiz
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import place_samples
from gradelab.student import CheckFailed, load_quiz

QUIZ = "quick"
GUIDE = Path(__file__).resolve().parents[1] / "docs" / "authoring.md"
POINTS = 5


def documented_quiz() -> str:
    """The complete quiz of docs/authoring.md, the format's example."""
    block = re.search(
        r"```toml\n# source/derivatives_quickly/quiz.toml\n(.*?)```", GUIDE.read_text(), re.S
    )
    assert block, "docs/authoring.md has lost its complete quiz"
    return block.group(1)


@pytest.fixture(scope="module")
def quick(course, gradelab):
    """A scratch copy of the course with the example quiz released as ``quick``."""
    with scratch_course(course) as scratch:
        (scratch.source_folder(QUIZ)).mkdir(parents=True)
        (scratch.source_folder(QUIZ) / "quiz.toml").write_text(documented_quiz())
        run = gradelab("release", QUIZ, cwd=scratch.root)
        assert run.returncode == 0, run.stdout + run.stderr
        yield scratch


def key_of(scratch, gradelab, student: str) -> dict[str, str]:
    run = gradelab("key", QUIZ, "--student", student, "--json", cwd=scratch.root)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def answer_cells(student_id: str, answers: dict[str, str]) -> dict[str, str]:
    """The answer cells of a submission: the typed id and each answer as a string."""
    cells = {"student_id": f"STUDENT_ID = {json.dumps(student_id)}"}
    cells |= {name: f"{name} = {json.dumps(text)}" for name, text in answers.items()}
    return cells


def test_release_builds_one_cell_per_answer_and_keeps_the_quiz_file_back(quick):
    folder = quick.release_folder(QUIZ)
    assert sorted(p.name for p in folder.iterdir()) == ["quick.ipynb", "quiz.json"]
    assert [p.name for p in quick.source_folder(QUIZ).iterdir()] == ["quiz.toml"]
    notebook = nbformat.read(folder / "quick.ipynb", as_version=4)
    answers = {
        cell.metadata.nbgrader["grade_id"]: cell.source
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    assert answers == {
        "student_id": 'STUDENT_ID = ""  # your student id, in quotes (on JupyterHub it is '
        "known already)",
        "power_rule": 'power_rule = ""',
        "step_size": 'step_size = ""',
        "new_w": "new_w = None",
    }
    tests = {
        cell.metadata.nbgrader["grade_id"]: cell.metadata.nbgrader["points"]
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    }
    assert tests == {"test_power_rule": 2, "test_step_size": 1, "test_new_w": 2}
    public = json.loads((folder / "quiz.json").read_text())
    assert {q["id"] for q in public["questions"]} == {"power_rule", "step_size", "new_w"}
    keys = {"answer", "mistakes", "why_not", "tolerance"}
    assert not any(keys & set(q) for q in public["questions"]), "a graded quiz keeps its keys"


def test_a_graded_quizs_release_holds_no_key_nor_mistake_of_any_student(quick):
    quiz = read_quiz(quick.source_folder(QUIZ) / "quiz.toml")
    texts = set()
    for question in quiz.questions:
        if question.kind == "choice":
            continue  # its key is one of the letters every student sees
        wrong = [m.answer for m in question.mistakes if m.answer]
        texts |= {question.answer, *wrong}
        for student in ("reference", "alice", "bob", "carol", "student007", ""):
            values = draw(question, quick.course_id, QUIZ, student)
            texts |= {typed(text, question, values) for text in (question.answer, *wrong)}
    searched = {text for text in texts if len(text) >= 4}
    assert len(searched) >= 10
    folder = quick.release_folder(QUIZ)
    released = "\n".join(p.read_text() for p in sorted(folder.rglob("*")) if p.is_file())
    assert sorted(text for text in searched if text in released) == []


def test_a_quiz_that_hides_correctness_releases_no_key(released_copy):
    public = json.loads(
        (released_copy("gradients").release_folder("gradients") / "quiz.json").read_text()
    )
    assert public["questions"]
    assert not any("answer" in q or "mistakes" in q for q in public["questions"])


def test_the_key_is_each_answer_as_a_student_types_it_with_their_numbers(quick, gradelab):
    key = key_of(quick, gradelab, "alice")
    quiz = read_quiz(quick.source_folder(QUIZ) / "quiz.toml")
    assert key["step_size"] == "b"
    new_w = quiz.question("new_w")
    values = draw(new_w, quick.course_id, QUIZ, "alice")
    assert float(key["new_w"]) == pytest.approx(
        float(values["w0"] - values["lr"] * values["g"]), rel=1e-12
    )
    power = quiz.question("power_rule")
    a, k = (draw(power, quick.course_id, QUIZ, "alice")[n] for n in ("a", "k"))
    assert judge(power, {"a": a, "k": k}, key["power_rule"]).fraction == 1
    assert judge(power, {"a": a, "k": k}, f"{a}*x^{k - 1}").fraction == 0.5


def test_selftest_checks_many_students_numbers_and_grades_its_samples(quick, gradelab):
    run = gradelab("selftest", QUIZ, cwd=quick.root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "quiz: the numbers of 51 students, 3 questions: ok" in run.stdout
    for sample in ("reference", "blank", "student000", "mistaken", "borrower"):
        assert f"  {sample} " in run.stdout


def test_grading_uses_each_students_own_numbers_and_names_the_mistakes(quick, gradelab):
    alice = key_of(quick, gradelab, "alice")
    carol = key_of(quick, gradelab, "carol")
    quiz = read_quiz(quick.source_folder(QUIZ) / "quiz.toml")
    a, k = draw(quiz.question("power_rule"), quick.course_id, QUIZ, "carol").values()
    place_samples(
        quick,
        QUIZ,
        [
            Sample("alice", None, "", answer_cells("alice", alice)),
            Sample("bob", None, "", answer_cells("alice", alice)),
            Sample(
                "carol", None, "", answer_cells("carol", carol | {"power_rule": f"{a}x^{k - 1}"})
            ),
            Sample("dave", None, "", blank=True),
            Sample("erin", None, "", answer_cells("erin", {"power_rule": "2x^", "new_w": "fast"})),
        ],
    )
    run = gradelab("autograde", QUIZ, cwd=quick.root)
    assert run.returncode == 0, run.stdout + run.stderr
    scores = assignment_scores(quick, QUIZ)
    assert scores["alice"].score == scores["alice"].max_score == POINTS
    assert scores["bob"].score < POINTS
    assert scores["carol"].score == POINTS - 1
    assert scores["carol"].cells["test_power_rule"] == 1
    assert scores["dave"].score == 0
    assert scores["erin"].cells["test_power_rule"] == 0
    assert scores["erin"].cells["test_new_w"] == 0
    assert gradelab("feedback", QUIZ, cwd=quick.root).returncode == 0

    def page(student: str) -> str:
        return html.unescape((quick.feedback_folder(student, QUIZ) / f"{QUIZ}.html").read_text())

    assert "computed with the numbers of 'alice'; you are graded with your own" in page("bob")
    assert "The power rule also multiplies by the exponent." in page("carol")
    assert "power_rule has no answer yet" in page("dave")
    assert "power_rule" in page("erin") and "could not" in page("erin").lower()


def release_fails(course, gradelab, text: str) -> str:
    """Release a quiz made of ``text`` and return what the failed release said."""
    (course.source_folder("broken")).mkdir(parents=True, exist_ok=True)
    (course.source_folder("broken") / "quiz.toml").write_text(text)
    run = gradelab("release", "broken", cwd=course.root)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    return run.stdout + run.stderr


def test_a_draw_that_divides_by_zero_is_refused_naming_the_question_and_numbers(quick, gradelab):
    said = release_fails(
        quick,
        gradelab,
        'title = "t"\n[[question]]\nid = "inverse"\nkind = "number"\npoints = 1\n'
        'prompt = "1/({a}-3)?"\nanswer = "1/(a-3)"\n[question.params]\na = [2, 4]\n',
    )
    assert "source/broken/quiz.toml" in said
    assert "question 'inverse'" in said and "(a = 3)" in said


def test_a_mistake_equal_to_the_key_for_some_numbers_is_refused(quick, gradelab):
    said = release_fails(
        quick,
        gradelab,
        'title = "t"\n[[question]]\nid = "slope"\nkind = "expression"\npoints = 1\n'
        'prompt = "d/dx {a} x^{k}"\nvariables = ["x"]\nanswer = "a*k*x^(k-1)"\n'
        "[question.params]\na = [2, 3]\nk = { choice = [1, 2] }\n"
        '[[question.mistake]]\nanswer = "a*x^(k-1)"\nfeedback = "times k"\nscore = 0.5\n',
    )
    assert "question 'slope'" in said and "k = 1" in said and "equals the key" in said


def test_a_field_the_format_has_not_is_named_with_the_file_and_question(quick, gradelab):
    said = release_fails(
        quick,
        gradelab,
        'title = "t"\n[[question]]\nid = "q"\nkind = "choice"\npoints = 1\nprompt = "?"\n'
        'choices = ["x", "y"]\nanswer = "a"\nanwser = "b"\n',
    )
    assert "source/broken/quiz.toml" in said and "anwser" in said


def test_an_expression_built_with_sympy_needs_a_notebook_of_the_authors(quick, gradelab):
    said = release_fails(
        quick,
        gradelab,
        'title = "t"\n[[question]]\nid = "d"\nkind = "expression"\nform = "sympy"\n'
        'points = 1\nprompt = "?"\nvariables = ["x"]\nanswer = "2x"\n',
    )
    assert "question 'd' is built with sympy" in said


def run_notebook(
    folder: Path, cells: dict[str, str], env: dict[str, str], name: str = QUIZ
) -> nbformat.NotebookNode:
    """Fill the answer cells of the release notebook and run it in a real kernel."""
    notebook = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    for cell in notebook.cells:
        name = cell.metadata.get("nbgrader", {}).get("grade_id")
        if name in cells:
            cell.source = cells[name]
    old = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        client = NotebookClient(
            notebook, timeout=120, allow_errors=True, resources={"metadata": {"path": str(folder)}}
        )
        client.execute()
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return notebook


def output_of(notebook: nbformat.NotebookNode, grade_id: str) -> str:
    cell = next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
        else:
            parts.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(parts)


def test_the_notebook_shows_the_hub_users_numbers_and_how_each_answer_reads(quick, gradelab):
    key = key_of(quick, gradelab, "alice")
    quiz = read_quiz(quick.source_folder(QUIZ) / "quiz.toml")
    a, k = draw(quiz.question("power_rule"), quick.course_id, QUIZ, "alice").values()
    cells = answer_cells("someone_else", key | {"power_rule": f"{a}*x^({k}-1)", "new_w": "1e9"})
    notebook = run_notebook(quick.release_folder(QUIZ), cells, {"JUPYTERHUB_USER": "alice"})
    assert "the numbers of **alice**" in output_of(notebook, "setup")
    assert f"{a}" in output_of(notebook, "power_rule_prompt")
    for question in ("step_size", "power_rule"):
        said = output_of(notebook, f"test_{question}")
        assert f"{question} is read; it is graded after you submit" in said, said
        assert "CheckFailed" not in said and "right" not in said
    assert "The power rule also multiplies" not in output_of(notebook, "test_power_rule")
    assert "CheckFailed" in output_of(notebook, "test_new_w"), "1e9 is not read as a number"


def test_a_practice_quiz_checks_each_answer_at_once_and_releases_its_keys(tmp_path, capsys):
    (tmp_path / "quiz.toml").write_text("show_correctness = true\n" + documented_quiz())
    quiz = read_quiz(tmp_path / "quiz.toml")
    public = quiz.public("course", "practice")
    assert all("answer" in q for q in public["questions"])
    (tmp_path / "quiz.json").write_text(json.dumps(public))
    notebook_quiz = load_quiz("alice", tmp_path)
    notebook_quiz.check("step_size", "b")
    assert "step_size: right" in capsys.readouterr().out
    a, k = draw(quiz.question("power_rule"), "course", "practice", "alice").values()
    with pytest.raises(CheckFailed, match="The power rule also multiplies by the exponent"):
        notebook_quiz.check("power_rule", f"{a}*x^({k}-1)")
    with pytest.raises(CheckFailed):
        notebook_quiz.check("new_w", 1e9)


def test_the_notebook_without_an_id_shows_practice_numbers(quick):
    env = {"JUPYTERHUB_USER": ""}
    notebook = run_notebook(quick.release_folder(QUIZ), {}, env)
    assert "practice numbers" in output_of(notebook, "setup")
    assert "practice numbers" in output_of(notebook, "power_rule_prompt").lower()


TYPED = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            ["x", "2", "^", "(", ")", "*", "/", "-", "+", "9", "9", ".", "e", "sum", "x_i",
             ",", "i", "sin", "exp", "!", "1e308", "inf", "nan", " ", "a", "b", "=", "[", "]"]
        ),
        max_size=40,
    ).map("".join),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
)  # fmt: skip


@settings(max_examples=300, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(answer=TYPED, student=st.text(max_size=12))
def test_judging_any_typed_answer_ends_with_a_score_between_zero_and_one(
    answer, student, tmp_path_factory
):
    path = tmp_path_factory.getbasetemp() / "quiz.toml"
    path.write_text(documented_quiz())
    quiz = read_quiz(path)
    for question in quiz.questions:
        verdict = judge(question, draw(question, "c", QUIZ, student), answer)
        assert 0 <= verdict.fraction <= 1
        assert isinstance(verdict.message, str)


COURSE_QUIZ = Path(__file__).resolve().parents[1] / "source" / "tangent_quiz" / "quiz.toml"


def test_an_equation_a_number_to_significant_figures_and_a_form_are_judged_in_a_quiz():
    quiz = read_quiz(COURSE_QUIZ)
    tangent = quiz.question("tangent")
    numbers = {"a": Fraction(2), "b": Fraction(-3), "x0": Fraction(1)}  # f = 2x^2 - 3x
    assert judge(tangent, numbers, "y = x - 2").fraction == 1  # slope 1 through (1, -1)
    assert judge(tangent, numbers, "x - y - 2 = 0").fraction == 1
    assert judge(tangent, numbers, "2y = 2x - 4").fraction == 1
    assert judge(tangent, numbers, "y = x").fraction == 0.5  # the first declared mistake
    assert judge(tangent, numbers, "y = x - 3").fraction == 0

    rate = quiz.question("decayed_rate")
    numbers = {"a0": Fraction(1, 10), "T": Fraction(3), "t": Fraction(7)}  # 0.1/(1 + 7/3) = 0.03
    assert judge(rate, numbers, "0.0300").fraction == 1
    short = judge(rate, numbers, "0.03")
    assert short.fraction == 0.5 and "3 significant figures" in short.message
    assert judge(rate, numbers, "0.0301").fraction == 0
    assert judge(rate, numbers, "0.0125").fraction == 0  # 0.1/8, a mistake scoring 0

    step = quiz.question("expanded_step")
    numbers = {"c": Fraction(3), "lr": Fraction(1, 4)}  # w - (w - 3)/2 = w/2 + 3/2
    assert judge(step, numbers, "w/2 + 3/2").fraction == 1
    bracketed = judge(step, numbers, "w - 1/2*(w - 3)")
    assert bracketed.fraction == 0.5 and "not expanded" in bracketed.message
    assert judge(step, numbers, "3w/4 + 3/4").fraction == 0.5  # the factor 2 is missing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ('kind = "number"\nanswer = "1/3"\nsigfigs = 0', "sigfigs = 1 to 15"),
        ('kind = "expression"\nanswer = "x"\nvariables = ["x"]\nsigfigs = 3', "sigfigs"),
        ('kind = "expression"\nanswer = "x"\nvariables = ["x"]\nform = "neat"', "expanded"),
        ('kind = "number"\nanswer = "1"\nform = "expanded"', "for an expression"),
        ('kind = "expression"\nanswer = "x"\nvariables = ["x"]\nform_score = 1', "form_score"),
        (
            'kind = "expression"\nanswer = "x"\nvariables = ["x"]\nassume = { real = ["x"] }',
            "positive",
        ),
        (
            'kind = "expression"\nanswer = "x"\nvariables = ["x"]\nassume = { positive = ["y"] }',
            "lists variables of this question",
        ),
    ],
)
def test_the_new_question_fields_are_checked_when_read(tmp_path, fields, message):
    path = tmp_path / "quiz.toml"
    path.write_text(f'[[question]]\nid = "q"\npoints = 1\nprompt = "?"\n{fields}\n')
    with pytest.raises(QuizError, match=message):
        read_quiz(path)
