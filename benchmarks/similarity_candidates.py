"""Which detector ``gradelab similarity`` uses, measured on the planted test; and its speed.

The planted submissions of ``tests/similarity/planted.toml`` (five independent solutions of
mse_gradient in styles of their own, three copies of one of them) are placed in a scratch
copy of the course and read as ``gradelab similarity`` reads them. Each candidate scores
every pair; printed per candidate: the lowest score of a pair of copies, the highest of a
pair that is not, the gap between them, whether the copies' pairs are the top ones, and the
time they took. The candidates: copydetect (winnowing, as MOSS) as gradelab runs it, with
several noise thresholds, and pycode_similar (normalized AST lines compared with difflib,
both directions), when it is installed. It prints the longest answer cell and the longest
answers of the course's reference solutions, beside the bounds on what is compared. With
``--students N`` it also times the whole comparison of N submissions (the planted ones,
repeated under new names).

    .venv/bin/pip install pycode_similar==1.4    # for its row only
    .venv/bin/python benchmarks/similarity_candidates.py --students 200
"""

from __future__ import annotations

import argparse
import itertools
import resource
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import nbformat

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.grading.sample_submission import Sample, solution_code
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import listed_samples, place_samples
from gradelab.similarity.answers import (
    MAX_CELL_CHARS,
    MAX_SUBMISSION_CHARS,
    is_answer,
    read_release,
    submission_answers,
)
from gradelab.similarity.comparison import compare_submissions
from gradelab.similarity.fingerprints import NOISE_CHARS, fingerprint, given_hashes
from gradelab.similarity.pairs import Prints, ranked_pairs

REPO = Path(__file__).resolve().parents[1]
PLANTED = REPO / "tests" / "similarity" / "planted.toml"
ASSIGNMENT = "mse_gradient"
NOISES = (15, 20, NOISE_CHARS, 30)
Scores = dict[tuple[str, str], float]


def copy_pairs() -> set[tuple[str, str]]:
    """Pairs of the planted submissions that share their code: a copy and its source, or
    two copies of one source."""
    declared = tomllib.loads(PLANTED.read_text())["wrong"]
    groups: dict[str, set[str]] = {}
    for entry in declared:
        if "copied_from" in entry:
            groups.setdefault(entry["copied_from"], {entry["copied_from"]}).add(entry["name"])
    return {pair for group in groups.values() for pair in itertools.combinations(sorted(group), 2)}


def copydetect_scores(parts: dict[str, dict[str, str]], given: list[str], noise: int) -> Scores:
    hashes = given_hashes(given, noise)
    prints = {
        student: Prints.of({part: fingerprint(text, hashes, noise) for part, text in code.items()})
        for student, code in parts.items()
    }
    return {(s.first, s.second): s.score for s in ranked_pairs(prints)}


def pycode_similar_scores(parts: dict[str, dict[str, str]]) -> Scores:
    import pycode_similar

    whole = {student: "\n\n".join(code.values()) for student, code in parts.items()}

    def matched(reference: str, candidate: str) -> tuple[int, int]:
        found = pycode_similar.detect([reference, candidate], module_level=True)
        _, plagiarized, total = pycode_similar.summarize(found[0][1])
        return plagiarized, total

    scores = {}
    for first, second in itertools.combinations(sorted(whole), 2):
        one, other = matched(whole[first], whole[second]), matched(whole[second], whole[first])
        scores[(first, second)] = (one[0] + other[0]) / max(1, one[1] + other[1])
    return scores


def verdict(name: str, score: Callable[[], Scores], copies: set[tuple[str, str]]) -> str:
    started = time.perf_counter()
    try:
        scores = score()
    except Exception as error:  # noqa: BLE001 - a candidate that fails says how
        return f"{name:<28} failed: {type(error).__name__}: {error}"
    elapsed = time.perf_counter() - started
    lowest_copy = min(scores[pair] for pair in copies)
    others = {pair: value for pair, value in scores.items() if pair not in copies}
    closest = max(others, key=others.get)
    top = sorted(scores, key=scores.get, reverse=True)[: len(copies)]
    return (
        f"{name:<28} copies >= {lowest_copy:5.0%}  others <= {others[closest]:5.0%} "
        f"({closest[0]}-{closest[1]})  gap {lowest_copy - others[closest]:+5.0%}  "
        f"copies on top: {'yes' if set(top) == copies else 'no'}  "
        f"{elapsed * 1e3:.0f} ms for the {len(scores)} pairs"
    )


def compare_candidates(course: Course) -> None:
    place_samples(course, ASSIGNMENT, listed_samples(PLANTED))
    release = read_release(course, ASSIGNMENT)
    students = sorted(entry["name"] for entry in tomllib.loads(PLANTED.read_text())["wrong"])
    parts = {
        student: submission_answers(course, ASSIGNMENT, student, release).parts
        for student in students
    }
    copies = copy_pairs()
    print(f"{len(students)} planted submissions, {len(copies)} pairs of copies")
    given = list(release.given_code)
    for noise in NOISES:
        name = f"copydetect 0.5.0, noise {noise}" + (" *" if noise == NOISE_CHARS else "")
        print(verdict(name, lambda n=noise: copydetect_scores(parts, given, n), copies))
    try:
        import pycode_similar  # noqa: F401 - only to know whether it is installed
    except ModuleNotFoundError:
        print("pycode_similar: not installed (pip install pycode_similar==1.4)")
    else:
        print(verdict("pycode_similar 1.4", lambda: pycode_similar_scores(parts), copies))
    print("* gradelab's setting")


def reference_sizes(course: Course) -> None:
    """The longest answer cell and the longest answers of the course's references."""
    cells, totals = [], []
    for assignment in course.assignments():
        for path in course.source_notebooks(assignment):
            notebook = nbformat.read(path, as_version=4)
            sizes = [len(solution_code(cell)) for cell in notebook.cells if is_answer(cell)]
            cells.extend(sizes)
            totals.append(sum(sizes))
    print(
        f"the course's references: longest answer cell {max(cells):,} characters (bound "
        f"{MAX_CELL_CHARS:,}), longest answers {max(totals):,} (bound {MAX_SUBMISSION_CHARS:,})"
    )


def time_run(course: Course, students: int) -> None:
    planted = listed_samples(PLANTED)
    many = [
        Sample(f"s{number:04d}", None, "", planted[number % len(planted)].cells)
        for number in range(students)
    ]
    place_samples(course, ASSIGNMENT, many)
    started = time.perf_counter()
    comparison = compare_submissions(course, ASSIGNMENT)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(comparison.answers)} submissions, {len(comparison.ranked)} pairs: {wall:.1f} s "
        f"({wall / max(1, len(comparison.ranked)) * 1e6:.0f} us per pair), "
        f"peak RSS {peak:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, help="also time a run on this many submissions")
    args = parser.parse_args()
    with scratch_course(Course.load(REPO)) as course:
        nbgrader_commands.release(course, ASSIGNMENT)
        reference_sizes(course)
        compare_candidates(course)
        if args.students:
            time_run(course, args.students)


if __name__ == "__main__":
    main()
