"""How long students wait, from ``nbgrader submit`` to feedback they can fetch, side by side:
``gradelab serve`` against the manual nbgrader chain, on the same submissions, in one run.

    .venv/bin/python benchmarks/serve_latency.py [--students 50] [--singles 20] [--workers 2]
    .venv/bin/python benchmarks/serve_latency.py --beside-big [--singles 20]

1. Single submissions, one at a time, to a running ``gradelab serve``: each one's wait
   (with ``--beside-big``, only this, while a valid 10 MB notebook of 150,000 cells,
   handed in just before, is being handled: copied, screened, graded, its feedback made).
2. A burst: every student submits twice within 10 s (``--students`` of them), to the
   service; each submission's wait, and the time until the last feedback is fetchable.
3. The same burst to a course without the service, then the chain an instructor runs by hand
   once it is over: ``nbgrader collect``, ``nbgrader autograde``, ``nbgrader
   generate_feedback``, ``nbgrader release_feedback``; each submission's wait (the earlier
   submission of each student is never graded: collect takes the latest).

Students submit with nbgrader's own exchange classes, in this process; a submission's
feedback is fetchable once the exchange holds the page that ``nbgrader fetch_feedback``
looks for (its name comes from the submission's secret). Scratch copies of the course are
used and removed. Figures are seconds; percentiles by nearest rank.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.utils import notebook_hash

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from exchange_student import ExchangeStudent, sample_text  # noqa: E402
from serving import serve_course, serving  # noqa: E402

from gradelab.course import Course  # noqa: E402
from gradelab.selftest import scratch_course  # noqa: E402
from gradelab.selftest.samples import samples  # noqa: E402
from gradelab.serve.status import percentile  # noqa: E402

ASSIGNMENT = "mse_gradient"
BIN = Path(sys.executable).parent
BURST_SECONDS = 10.0


@dataclass
class Waits:
    """Submissions and when each one's feedback became fetchable."""

    exchange: Path
    course_id: str
    pending: dict[Path, float] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)

    def submitted(self, student: ExchangeStudent, entry: str) -> None:
        cache = student.home / ".nbgrader_cache" / self.course_id / entry.rsplit("+", 1)[0]
        secret = (cache / "submission_secret.txt").read_text()
        page = notebook_hash(secret=secret, notebook_id=ASSIGNMENT)
        self.pending[self.exchange / self.course_id / "feedback" / f"{page}.html"] = (
            time.perf_counter()
        )

    def poll(self) -> None:
        for page, since in list(self.pending.items()):
            if page.exists():
                self.waits.append(time.perf_counter() - since)
                del self.pending[page]

    def wait_all(self, seconds: float) -> float:
        """Poll until every submission's feedback is fetchable (or ``seconds`` pass)."""
        deadline = time.perf_counter() + seconds
        while self.pending and time.perf_counter() < deadline:
            self.poll()
            time.sleep(0.01)
        return time.perf_counter()


def summary(name: str, waits: list[float], missing: int = 0) -> str:
    if not waits:
        return f"{name}: no feedback at all ({missing} submissions)"
    text = (
        f"{name}: {len(waits)} submissions, p50 {percentile(waits, 0.5):.2f} s, "
        f"p95 {percentile(waits, 0.95):.2f} s, max {max(waits):.2f} s, "
        f"mean {statistics.fmean(waits):.2f} s"
    )
    return text + (f"; {missing} never got feedback" if missing else "")


def students(base: Path, exchange: Path, course: Course, count: int) -> list[ExchangeStudent]:
    return [
        ExchangeStudent(f"s{k:03d}", base / "home" / f"s{k:03d}", exchange, course.course_id)
        for k in range(count)
    ]


def answers(course: Course) -> list[str]:
    """The notebooks students hand in: the reference and the listed wrong ones, in turn."""
    return [sample_text(course, ASSIGNMENT, s) for s in samples(course, ASSIGNMENT) if not s.blank]


def big_notebook(text: str, cells: int = 150_000) -> str:
    """``text`` (a notebook) with ``cells`` more small markdown cells: about 10 MB."""
    notebook = json.loads(text)
    notebook["cells"] += [
        {"cell_type": "markdown", "metadata": {}, "source": f"notes {k}"} for k in range(cells)
    ]
    return json.dumps(notebook)


def beside_big(served: Course, base: Path, exchange: Path, texts: list[str], count: int):
    """Single submissions while a big notebook is handled; their waits, the big one's."""
    big = Waits(exchange, served.course_id)
    heavy = ExchangeStudent("big", base / "home" / "big", exchange, served.course_id)
    text = big_notebook(texts[0])
    heavy.answer(ASSIGNMENT, ASSIGNMENT, text)
    big.submitted(heavy, heavy.submit(ASSIGNMENT))
    singles = Waits(exchange, served.course_id)
    for person in students(base / "beside", exchange, served, count):
        person.answer(ASSIGNMENT, ASSIGNMENT, texts[len(singles.waits) % len(texts)])
        singles.submitted(person, person.submit(ASSIGNMENT))
        singles.wait_all(120)
        big.poll()
        if not big.pending:
            break
    big.wait_all(600)
    print(f"a notebook of {len(text) / 1e6:.1f} MB: feedback after {big.waits[0]:.1f} s")
    print(summary("single submissions while it was handled", singles.waits, len(singles.pending)))


def burst(people: list[ExchangeStudent], texts: list[str], waits: Waits) -> float:
    """Every student submits twice, spread evenly over ``BURST_SECONDS``; its start."""
    for person in people:
        person.fetch(ASSIGNMENT)
    order = [(round_, person) for round_ in range(2) for person in people]
    start = time.perf_counter()
    for k, (round_, person) in enumerate(order):
        while time.perf_counter() < start + k * BURST_SECONDS / len(order):
            waits.poll()
            time.sleep(0.005)
        person.answer(ASSIGNMENT, ASSIGNMENT, texts[(k + round_) % len(texts)])
        waits.submitted(person, person.submit(ASSIGNMENT))
    return start


def nbgrader(course: Course, *args: str) -> None:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=course.root, env=environment, check=True,
        capture_output=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--singles", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--beside-big", action="store_true")
    args = parser.parse_args()
    if args.beside_big:
        course = Course.load(REPO)
        base = Path(tempfile.mkdtemp(prefix="gradelab-serve-bench-"))
        try:
            with scratch_course(course) as served:
                serve_course(served, base / "exchange", {}, [ASSIGNMENT])
                with serving(served, base / "serve.log", f"--workers={args.workers}"):
                    beside_big(served, base, base / "exchange", answers(served), args.singles)
        finally:
            shutil.rmtree(base, ignore_errors=True)
        return
    course = Course.load(REPO)
    base = Path(tempfile.mkdtemp(prefix="gradelab-serve-bench-"))
    try:
        with scratch_course(course) as served:
            exchange = base / "served-exchange"
            serve_course(served, exchange, {}, [ASSIGNMENT])
            texts = answers(served)
            with serving(served, base / "serve.log", f"--workers={args.workers}"):
                singles = Waits(exchange, served.course_id)
                for person in students(base / "singles", exchange, served, args.singles):
                    person.answer(ASSIGNMENT, ASSIGNMENT, texts[len(singles.waits) % len(texts)])
                    singles.submitted(person, person.submit(ASSIGNMENT))
                    singles.wait_all(120)
                burst_waits = Waits(exchange, served.course_id)
                people = students(base / "burst", exchange, served, args.students)
                start = burst(people, texts, burst_waits)
                done = burst_waits.wait_all(300)
        with scratch_course(course) as manual:
            exchange = base / "manual-exchange"
            serve_course(manual, exchange, {}, [ASSIGNMENT])
            chain = Waits(exchange, manual.course_id)
            people = students(base / "manual", exchange, manual, args.students)
            burst(people, texts, chain)
            chain_start = time.perf_counter()
            for step in ("collect", "autograde", "generate_feedback", "release_feedback"):
                nbgrader(manual, step, ASSIGNMENT)
            chain_seconds = time.perf_counter() - chain_start
            chain.poll()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{ASSIGNMENT}, {args.workers} workers")
    print(summary("gradelab serve, single submissions", singles.waits, len(singles.pending)))
    print(
        summary(
            f"gradelab serve, burst of {2 * args.students} in {BURST_SECONDS:g} s",
            burst_waits.waits,
            len(burst_waits.pending),
        )
    )
    print(f"  last feedback fetchable {done - start:.1f} s after the burst began")
    print(summary("manual nbgrader chain after the burst", chain.waits, len(chain.pending)))
    print(f"  the chain itself took {chain_seconds:.1f} s")


if __name__ == "__main__":
    main()
