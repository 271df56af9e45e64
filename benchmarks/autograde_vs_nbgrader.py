"""Grade N submissions of mse_gradient with stock nbgrader and with gradelab, side by side.

    .venv/bin/python benchmarks/autograde_vs_nbgrader.py 40 [--skip-nbgrader] [--workers W]

Per 40 submissions: 30 correct, 5 sign errors, 3 that raise, 2 that loop forever (only
compute_gradient differs; every other answer is the reference). Stock nbgrader runs its own
kernel pipeline on a copy of the course whose compute_gradient test cell holds the same
checks inline, scored the same way (nbgrader's partial credit from the cell's value);
gradelab runs its sandbox and hidden suite. Both must give every submission the same score.
Prints wall times, time per submission, peak memory of each run and the ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.grading.sample_submission import Sample
from gradelab.scores import assignment_scores
from gradelab.selftest import scratch_course
from gradelab.selftest.samples import place_samples

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "mse_gradient"
BIN = Path(sys.executable).parent

ANSWERS = {
    "sign": "def compute_gradient(X, y, w):\n"
    "    X = np.asarray(X, dtype=float)\n"
    "    return (2.0 / X.shape[0]) * (X.T @ (y - X @ w))",
    "raises": "def compute_gradient(X, y, w):\n    raise ValueError('shapes')",
    "loops": "def compute_gradient(X, y, w):\n    while True:\n        pass",
}
MIX = ["correct"] * 30 + ["sign"] * 5 + ["raises"] * 3 + ["loops"] * 2

# The hidden checks of autograder/mse_gradient for compute_gradient, inline for nbgrader:
# the same points per check, the cell's value is its score (nbgrader's partial credit).
INLINE_TESTS = """### BEGIN HIDDEN TESTS
import numpy as _np

def _reference(X, y, w):
    X = _np.asarray(X, dtype=float)
    return (2.0 / X.shape[0]) * (X.T @ (X @ _np.asarray(w, float) - _np.asarray(y, float)))

def _problem(rng, n, d, scale=1.0):
    X = _np.column_stack([_np.ones(n), rng.normal(0.0, scale, size=(n, d - 1))])
    return X, X @ rng.normal(0, 2, size=d) + rng.normal(0, 0.5 * scale, size=n), rng.normal(size=d)

def _close(X, y, w):
    try:
        got = _np.asarray(compute_gradient(X, y, w), dtype=float)
    except Exception:
        return False
    want = _reference(X, y, w)
    scale = 1e-9 + 1e-6 * _np.max(_np.abs(want), initial=0.0)
    return got.shape == want.shape and bool(_np.allclose(got, want, rtol=1e-6, atol=scale))

def _float_vector(X, y, w):
    try:
        got = compute_gradient(X, y, w)
    except Exception:
        return False
    return isinstance(got, _np.ndarray) and got.shape == (3,) and got.dtype.kind == "f"

_rng = _np.random.default_rng(0)
_ints = (_np.column_stack([_np.ones(10, dtype=int), _rng.integers(-9, 10, size=(10, 2))]),
         _rng.integers(-50, 50, size=10), _rng.integers(-3, 4, size=3))
_score = (
    1 * _float_vector(*_problem(_rng, 8, 3))
    + 2 * _close(*_problem(_rng, 40, 4))
    + 1 * _close(*_problem(_rng, 1, 3))
    + 1 * _close(*_problem(_rng, 12, 1))
    + 1 * (_close(*_ints) and _close(*_problem(_rng, 15, 3, 1e6)))
)
_score
### END HIDDEN TESTS"""


def submissions(n: int) -> list[Sample]:
    kinds = [MIX[i % len(MIX)] for i in range(n)]
    return [
        Sample(
            f"s{i:04d}-{kind}",
            None,
            kind,
            {} if kind == "correct" else {"compute_gradient": ANSWERS[kind]},
        )
        for i, kind in enumerate(kinds)
    ]


def use_stock_nbgrader(course: Course) -> None:
    """Stock autograde pipeline (a kernel per notebook) and the checks inline in the notebook."""
    config = course.root / "nbgrader_config.py"
    text = config.read_text()
    start = text.index("c.Autograde.autograde_preprocessors")
    end = text.index("]\n", start) + 2
    config.write_text(text[:start] + text[end:])
    path = course.root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_compute_gradient":
            cell.source = INLINE_TESTS
    nbformat.write(notebook, path)


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return its wall seconds and the peak RSS (MB) of its process tree."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024


def prepare(course: Course, n: int) -> None:
    nbgrader_commands.release(course, ASSIGNMENT)
    place_samples(course, ASSIGNMENT, submissions(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of submissions")
    parser.add_argument("--skip-nbgrader", action="store_true", help="time gradelab only")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    base = Course.load(REPO)
    rows = {}
    scores = {}
    with scratch_course(base) as course:
        prepare(course, args.n)
        command = [str(BIN / "gradelab"), "autograde", ASSIGNMENT, f"--workers={args.workers}"]
        rows["gradelab"] = timed(command, course.root)
        scores["gradelab"] = {s: v.score for s, v in assignment_scores(course, ASSIGNMENT).items()}
    if not args.skip_nbgrader:
        with scratch_course(base) as course:
            use_stock_nbgrader(course)
            prepare(course, args.n)
            command = [str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--log-level=ERROR"]
            rows["nbgrader"] = timed(command, course.root)
            scores["nbgrader"] = {
                s: v.score for s, v in assignment_scores(course, ASSIGNMENT).items()
            }
    print(f"{args.n} submissions of {ASSIGNMENT} (30 correct, 5 sign, 3 raise, 2 loop per 40)")
    print(f"{'engine':<10}{'wall s':>10}{'s/submission':>14}{'peak MB':>10}")
    for engine, (wall, peak) in rows.items():
        print(f"{engine:<10}{wall:>10.1f}{wall / args.n:>14.3f}{peak:>10.0f}")
    if "nbgrader" in rows:
        ratio = rows["nbgrader"][0] / rows["gradelab"][0]
        print(f"gradelab throughput is {ratio:.1f} times nbgrader's")
        differ = {
            s for s in scores["nbgrader"] if scores["nbgrader"][s] != scores["gradelab"].get(s)
        }
        print(
            "same scores for every submission" if not differ else f"scores differ: {sorted(differ)}"
        )
    graded = len(scores["gradelab"])
    print(
        f"gradelab graded {graded} of {args.n}; score counts: {sorted_counts(scores['gradelab'])}"
    )


def sorted_counts(scores: dict[str, float]) -> dict[float, int]:
    counts: dict[float, int] = {}
    for value in scores.values():
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


if __name__ == "__main__":
    main()
