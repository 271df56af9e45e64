"""Headless Chromium for the browser tests, started one way, in a state it can start in.

Chromium's JavaScript engine reserves a large address space when it starts; under a limit
on it (``RLIMIT_AS``) it stops at once, by SIGTRAP, and Playwright reports "Target page,
context or browser has been closed". A limit is inherited: ``gradelab check-expr`` bounds
its own process to 2 GiB, and a test that ran its handler inside a test worker left that
worker bounded, so every browser test placed after it on the same worker failed. The
command now gives the limit back; here a bounded process fails the test with the reason.

Each browser also gets a home of its own (Chromium keeps its crash database and caches under
``$HOME`` whatever its profile), its shared memory outside ``/dev/shm`` (Debian's launcher
script decides that from ``findmnt``, whose two lines where ``/dev/shm`` is mounted twice
break its test), and no crash reporter: two browsers running at once share nothing.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Playwright

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package, which `make test` installs
PROGRAM = Path("/usr/lib/chromium/chromium")  # what the package's script runs
ARGS = [
    "--headless",
    "--no-sandbox",  # root may not use Chromium's sandbox; the tests' pages are their own
    "--disable-dev-shm-usage",
    "--disable-crash-reporter",
    "--disable-breakpad",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000


def require_chromium(missing: Any = pytest.skip) -> None:
    """Skip (or ``missing``: fail) the test where Debian's Chromium is not installed."""
    if not (CHROMIUM.exists() and PROGRAM.exists()):
        missing(f"needs {CHROMIUM}: apt-get install chromium (make test does it as root)")


@contextmanager
def chromium(playwright: Playwright, folder: Path, **options: Any) -> Iterator[BrowserContext]:
    """A headless Chromium of its own, everything it writes in ``folder``; ``options`` are
    Playwright's context options (``viewport``...)."""
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if limit != resource.RLIM_INFINITY:
        pytest.fail(
            f"this process's address space is limited to {limit:,} bytes (by an earlier "
            "test?): Chromium cannot start under such a limit"
        )
    home = folder / "chromium-home"
    places = {"HOME": home, "XDG_CONFIG_HOME": home / ".config", "XDG_CACHE_HOME": home / ".cache"}
    for place in places.values():
        place.mkdir(parents=True, exist_ok=True)
    context = playwright.chromium.launch_persistent_context(
        folder / "chromium-profile",
        executable_path=PROGRAM,
        headless=True,
        args=ARGS,
        env={**os.environ, **{name: str(place) for name, place in places.items()}},
        timeout=TIMEOUT_MS,
        **options,
    )
    try:
        context.set_default_timeout(TIMEOUT_MS)
        yield context
    finally:
        context.close()


def first_page(context: BrowserContext):
    """The page a new Chromium opens with."""
    return context.pages[0] if context.pages else context.new_page()
