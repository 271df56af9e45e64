"""Reporting public checks: one ✔ or ✘ line per check, then one ``CheckFailed`` if any failed."""

from __future__ import annotations

from collections.abc import Iterable

PASS, FAIL = "\u2714", "\u2718"

#: One public check: whether it passed, and what it checks (with a hint when it failed).
Result = tuple[bool, str]


class CheckFailed(AssertionError):
    """A public check failed; the message says what to look at."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the message alone, in red."""
        return [f"\x1b[31mCheckFailed: {self}\x1b[0m"]


ALL_PASSED = "All public checks passed. The hidden tests try more cases."


def report(results: Iterable[Result], passed: str = ALL_PASSED) -> None:
    """Print each check as ``✔ text`` or ``✘ text``; raise ``CheckFailed`` naming the first
    failure, so that the cell shows as failed; print ``passed`` when none failed.

    >>> report([(True, "returns a numpy array"), (True, "has shape (d,)")])
    ✔ returns a numpy array
    ✔ has shape (d,)
    All public checks passed. The hidden tests try more cases.
    """
    results = list(results)
    for ok, text in results:
        print(f"{PASS if ok else FAIL} {text}")
    failed = [text for ok, text in results if not ok]
    if failed:
        raise CheckFailed(f"{len(failed)} public check(s) failed: {failed[0]}")
    print(passed)
