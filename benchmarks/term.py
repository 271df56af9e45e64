"""A simulated term against ``gradelab serve``, full size: 50 students on their own Unix
accounts and five hostile ones, four assignments (one a quiz) with due dates, extensions and
an hourly limit, the service SIGKILLed 24 times; then the oracle's verdict and the
bystanders' waits from submitting to a fetchable page. Run as root, alone on the machine:

    .venv/bin/python benchmarks/term.py [--students 50] [--kills 24] [--seed 1] [--pace 25]
        [--without odd_names,deep_entries]

The same term as ``tests/test_term.py`` (``tests/simulated_term.py``), larger. Exits 1 when
the oracle finds a failure, and lists each one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from simulated_term import Size, run_term  # noqa: E402
from term_plan import HOSTILE_ROLES  # noqa: E402

from gradelab.course import Course  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pace", type=float, default=25.0, help="seconds between due dates")
    parser.add_argument(
        "--settle", type=float, default=300.0, help="at most this long after the last event"
    )
    parser.add_argument("--giant-cells", type=int, default=150_000)
    parser.add_argument(
        "--without",
        default="",
        help=f"attacks left out, comma-separated, of: {', '.join(HOSTILE_ROLES)}",
    )
    parser.add_argument("--log", type=Path, help="keep the service's log there")
    args = parser.parse_args()
    left_out = {name for name in args.without.split(",") if name}
    if left_out - set(HOSTILE_ROLES):
        parser.error(f"--without: unknown attack(s) {sorted(left_out - set(HOSTILE_ROLES))}")
    attacks = tuple(role for role in HOSTILE_ROLES if role not in left_out)
    size = Size(
        args.students, args.kills, args.seed, args.pace, args.giant_cells, args.settle, attacks
    )
    began = time.monotonic()
    result = run_term(Course.load(REPO), size, args.log)
    print(result.summary)
    print(f"the whole run took {time.monotonic() - began:.0f} s")
    for failure in result.failures:
        print(f"FAIL {failure}")
    print(f"{len(result.failures)} oracle failure(s)")
    sys.exit(1 if result.failures else 0)


if __name__ == "__main__":
    main()
