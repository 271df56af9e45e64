"""Grade N students' answers to a 10-question quiz (update_rule_quiz) with gradelab.

    .venv/bin/python benchmarks/quiz_grading.py 200 [--workers 2]

Each student answers with the key of their own numbers, except every fifth, who answers each
question with its first declared mistake, and every tenth, who hands in the blank notebook.
The whole run is timed as an instructor would run it (``gradelab autograde``), in a scratch
copy of the course; every score is checked against what the quiz itself says it must be.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.grading.sample_submission import Sample
from gradelab.questions.draw import draw, typed
from gradelab.quiz.in_course import course_quiz
from gradelab.quiz.samples import answers, expected, keys
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import place_samples

REPO = Path(__file__).resolve().parents[1]
QUIZ = "update_rule_quiz"
BIN = Path(sys.executable).parent


def students(course: Course, count: int) -> list[Sample]:
    quiz = course_quiz(course, QUIZ)
    found = []
    for k in range(count):
        student = f"s{k:04d}"
        if k % 10 == 9:
            found.append(Sample(student, 0.0, "blank", blank=True))
            continue
        texts = keys(quiz, course.course_id, QUIZ, student)
        if k % 5 == 4:
            for question in quiz.questions:
                first = next((m for m in question.mistakes if m.answer), None)
                if first is not None:
                    values = draw(question, course.course_id, QUIZ, student)
                    texts[question.id] = typed(first.answer, question, values)
        score = expected(quiz, course.course_id, QUIZ, student, texts)
        found.append(Sample(student, score, "", answers(quiz, student, texts)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with scratch_course(Course.load(REPO)) as course:
        nbgrader_commands.release(course, QUIZ)
        listed = place_samples(course, QUIZ, students(course, args.count))
        started = time.perf_counter()
        run = subprocess.run(
            [str(BIN / "gradelab"), "autograde", QUIZ, f"--workers={args.workers}"],
            cwd=course.root,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        scores = assignment_scores(course, QUIZ)
        wrong = [s.student for s in listed if abs(scores[s.student].score - s.expected) > 1e-6]
    print(f"{args.count} students, 10 questions, {args.workers} workers: {seconds:.1f} s "
          f"({seconds / args.count:.3f} s a student), exit status {run.returncode}, "
          f"scores as expected: {len(listed) - len(wrong)}/{len(listed)}")  # fmt: skip
    if wrong or run.returncode:
        print(run.stdout[-2000:], run.stderr[-2000:], wrong[:10])
        sys.exit(1)


if __name__ == "__main__":
    main()
