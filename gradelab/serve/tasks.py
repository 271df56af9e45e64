"""The task processes of ``gradelab serve``: the file work of each submission (snapshot,
screening, placing, feedback; see ``publishing``) runs here, a bounded number at a time, so
that the loop only decides and records, and one large submission delays no one else's."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

from gradelab.autograde.local_pool import stop_at_once
from gradelab.sandbox.confinement import die_with_parent

HEAVY_NICENESS = 10


def at_priority(niceness: int, task: Callable, *args: object) -> object:
    """``task(*args)`` at ``niceness`` (0 again after it: the service runs as root)."""
    if niceness:
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
    try:
        return task(*args)
    finally:
        if niceness:
            os.setpriority(os.PRIO_PROCESS, 0, 0)


def _start() -> None:
    """In a new task process: end with the service, however it ends; leave signals to it."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Tasks:
    """At most ``processes`` tasks at once; ``submit`` returns a future."""

    def __init__(self, processes: int) -> None:
        self.processes = processes

    def __enter__(self) -> Tasks:
        self.pool = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start,
        )
        for future in [self.pool.submit(int) for _ in range(self.processes)]:
            future.result()
        return self

    def submit(self, task: Callable, *args: object, heavy: bool = False) -> Future:
        """Run ``task(*args)``; a ``heavy`` one at a lower priority, so that it takes the
        processors only when no one else's work needs them."""
        return self.pool.submit(at_priority, HEAVY_NICENESS if heavy else 0, task, *args)

    def restart(self) -> None:
        """New task processes, after one died (the pool is then broken)."""
        self.__exit__()
        self.__enter__()

    def __exit__(self, *exc: object) -> None:
        stop_at_once(self.pool)
