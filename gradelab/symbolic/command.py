"""The ``gradelab check-expr`` command: check one typed answer, print the result as JSON."""

from __future__ import annotations

import argparse
import json
import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager

SECONDS = 10
MEMORY_BYTES = 2 << 30


class OutOfTime(Exception):
    pass


def _out_of_time(*_: object) -> None:
    raise OutOfTime


@contextmanager
def bounded(seconds: int, memory: int) -> Iterator[None]:
    """Stop the block's work on a typed answer after ``seconds`` and at ``memory`` bytes;
    after it, the process has its own limits and alarm back (a caller in a longer-lived
    process, a test's, keeps no 2 GiB address space that a browser it starts would inherit)."""
    handler = signal.signal(signal.SIGALRM, _out_of_time)
    limit = resource.getrlimit(resource.RLIMIT_AS)
    soft, hard = limit
    if soft == resource.RLIM_INFINITY or soft > memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, hard))
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        resource.setrlimit(resource.RLIMIT_AS, limit)
        signal.signal(signal.SIGALRM, handler)


ASSUMPTIONS = ("positive", "nonzero", "integer")
FORMS = ("expanded", "factored", "simplified")


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def run_check_expr(args: argparse.Namespace) -> int:
    """Print one JSON object: the CheckResult, or {"error": ...} with exit code 2 when the
    expected answer (or the variable list) cannot be read, or the check took more than
    ``SECONDS`` or ``MEMORY_BYTES``. A wrong answer still exits 0."""
    from gradelab.symbolic.check import check  # sympy: only when a check is asked for

    variables = None if args.vars is None else _names(args.vars)
    assume = {kind: _names(getattr(args, kind) or "") for kind in ASSUMPTIONS}
    try:
        with bounded(SECONDS, MEMORY_BYTES):
            result = check(
                args.answer,
                args.expected,
                variables=variables,
                allow_floats=not args.no_floats,
                assume=assume,
                form=args.form,
            )
    except ValueError as error:
        print(json.dumps({"error": str(error)}))
        return 2
    except (OutOfTime, MemoryError):
        print(json.dumps({"error": f"the check took more than {SECONDS} s or too much memory"}))
        return 2
    print(result.to_json())
    return 0


def add_check_expr_arguments(sub: argparse.ArgumentParser) -> None:
    """``check-expr ANSWER --expected EXPR [--vars x,y] [--no-floats] [--positive x,...]
    [--nonzero ...] [--integer ...] [--form expanded|factored|simplified]``."""
    sub.description = (
        f"{sub.description}. An answer starting with '-' goes after '--' or with a leading space."
    )
    sub.add_argument("answer", help="the answer as a student types it, e.g. '2x'")
    sub.add_argument("--expected", required=True, help="the expected expression")
    sub.add_argument(
        "--vars", help="comma-separated variables students may use (default: those of expected)"
    )
    sub.add_argument(
        "--no-floats", action="store_true", help="refuse decimals such as 0.5 in the answer"
    )
    for kind in ASSUMPTIONS:
        sub.add_argument(
            f"--{kind}", metavar="x,y", help=f"comma-separated variables that are {kind}"
        )
    sub.add_argument("--form", choices=FORMS, help="also require the answer in this form")
