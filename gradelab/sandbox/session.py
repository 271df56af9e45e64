"""The trusted side of the sandbox: start it, feed it a notebook, call into it, stop it.

A ``Session`` owns one sandbox process for one submission. Every call returns plain data
decoded by ``wire``, or raises a ``SubmissionError`` whose ``feedback`` is one line a student
may read. The submission shares one wall-clock budget across its cells and calls; when the
budget is spent the whole sandbox is killed, and with it every process it started (the
sandbox is PID 1 of its own PID namespace).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from gradelab.sandbox import wire
from gradelab.sandbox.limits import Isolation, Limits

BOOT_SECONDS = 60.0
PR_SET_PDEATHSIG = 1
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
NAMESPACES = (
    "--net",
    "--pid",
    "--mount",
    "--ipc",
    "--uts",
    "--fork",
    "--kill-child",
    "--mount-proc",
)
WEAK_ISOLATION_NOTE = (
    "graded with weaker isolation: namespaces were unavailable, so the submission could "
    "see the machine's files and network"
)


class IsolationUnavailable(RuntimeError):
    """The machine cannot build the sandbox's namespaces; grading must not go on silently."""


class SubmissionError(Exception):
    """Something the submission did; ``feedback`` says it in one line for the student."""

    @property
    def feedback(self) -> str:
        return str(self)


class StudentRaised(SubmissionError):
    def __init__(self, what: str, error: dict[str, Any]) -> None:
        self.type = str(error.get("type"))
        self.cell = error.get("cell")
        self.line = error.get("line")
        where = f" (cell '{self.cell}', line {self.line})" if self.cell else ""
        unwritten = " - it is not written yet" if self.type == "NotImplementedError" else ""
        super().__init__(f"{what} raised {self.type}{where}{unwritten}")


class StudentMissing(SubmissionError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"'{name}' is not defined: did its cell run without errors?")


class SubmissionStopped(SubmissionError):
    """The sandbox is gone: time or memory limit, its own exit, or unreadable output."""


@dataclass
class CellReport:
    name: str
    error: dict[str, Any] | None


@functools.cache
def namespaces_work(unshare_command: str) -> str | None:
    """Return None if ``unshare`` can build the sandbox's namespaces here, else the reason."""
    try:
        probe = subprocess.run(
            [unshare_command, *NAMESPACES, "true"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{unshare_command}: {error}"
    return None if probe.returncode == 0 else probe.stderr.strip() or f"exit {probe.returncode}"


def die_with_parent() -> None:
    """In the child before exec: get SIGKILL if the grader dies, so no sandbox outlives it."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def sandbox_environment() -> dict[str, str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


@dataclass
class Session:
    """One submission's sandbox. Use as a context manager; it always cleans up."""

    isolation: Isolation
    limits: Limits = field(default_factory=Limits)
    accept_weak_isolation: bool = False
    notes: list[str] = field(default_factory=list)
    cells: list[CellReport] = field(default_factory=list)
    _process: subprocess.Popen | None = None
    _spent: float = 0.0
    _stopped: str | None = None
    _buffer: bytes = b""
    _workdir: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- starting ---------------------------------------------------------------------
    def start(self, cells: list[tuple[str, str]]) -> list[CellReport]:
        """Boot the sandbox and run the notebook's code cells, in order, inside it."""
        reason = namespaces_work(self.isolation.unshare_command)
        if reason is not None and not self.accept_weak_isolation:
            raise IsolationUnavailable(
                f"cannot create the sandbox's namespaces ({reason}); grading stopped. Run as "
                "root on Linux with util-linux, or pass --accept-weak-isolation to grade "
                "with rlimits only (every score then carries a note)."
            )
        confine = reason is None
        if not confine:
            self.notes.append(WEAK_ISOLATION_NOTE)
        prefix = [self.isolation.unshare_command, *NAMESPACES] if confine else []
        self._workdir = tempfile.TemporaryDirectory(prefix="gradelab-sandbox-")
        env = sandbox_environment()
        if not confine:
            env.update(HOME=self._workdir.name, TMPDIR=self._workdir.name)
        command = [*prefix, sys.executable, "-I", "-B", "-m", "gradelab.sandbox.jail"]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=self._workdir.name,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        settings = {
            "confine": confine,
            "hidden": list(self.isolation.hidden),
            "visible": list(self.isolation.visible),
            "uid": self.isolation.uid,
            "gid": self.isolation.gid,
            "limits": self.limits.as_dict(),
            "tmp_mb": self.limits.tmp_size_mb,
            "workdir": self._workdir.name,
        }
        self._send(settings)
        self._receive(BOOT_SECONDS, charge=False)
        self._send({"cells": [{"name": name, "source": source} for name, source in cells]})
        reply = self._receive(self._remaining())
        self.cells = [CellReport(str(c["name"]), c.get("error")) for c in reply["cells"]]
        return self.cells

    # -- calling ----------------------------------------------------------------------
    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the student's function ``name`` with data; return its result as data."""
        request = {"call": name, "args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)}
        return self._value(name, name, request)

    def get(self, name: str) -> Any:
        """Read the value of the student's variable ``name`` as data."""
        return self._value(name, name, {"get": name})

    def _value(self, name: str, what: str, request: dict[str, Any]) -> Any:
        self._send(request)
        reply = self._receive(self._remaining())
        if "error" in reply:
            error = reply["error"]
            if not isinstance(error, dict):
                raise self._stop("it sent a reply the grader cannot read")
            if error.get("type") == "Missing":
                raise StudentMissing(name)
            if error.get("type") == "WireError":
                raise SubmissionError(f"{what} returned a value that cannot be graded as data")
            raise StudentRaised(what, error)
        try:
            return wire.decode(reply["value"])
        except (KeyError, wire.WireError, ValueError, TypeError):
            raise SubmissionError(f"{what} returned data the grader cannot read") from None

    # -- the pipe ---------------------------------------------------------------------
    def _remaining(self) -> float:
        return self.limits.wall_seconds - self._spent

    def _send(self, message: dict[str, Any]) -> None:
        if self._stopped:
            raise SubmissionStopped(self._stopped)
        try:
            self._process.stdin.write(wire.dumps(message))
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._stop(self._death_reason()) from None

    def _receive(self, timeout: float, charge: bool = True) -> dict[str, Any]:
        started = time.monotonic()
        try:
            line = self._read_line(started + max(timeout, 0.0))
        finally:
            if charge:
                self._spent += time.monotonic() - started
        if line is None:
            raise self._stop(f"it ran past its {self.limits.wall_seconds:g} s time limit")
        try:
            return wire.loads(line)
        except wire.WireError:
            raise self._stop("it sent a reply the grader cannot read") from None

    def _read_line(self, deadline: float) -> bytes | None:
        """The next line from the sandbox; None when the deadline passes first."""
        fd = self._process.stdout.fileno()
        while b"\n" not in self._buffer:
            if len(self._buffer) > MAX_MESSAGE_BYTES:
                raise self._stop(f"it sent more than {MAX_MESSAGE_BYTES // 2**20} MB at once")
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise self._stop(self._death_reason())
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _death_reason(self) -> str:
        try:
            code = self._process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "it closed its connection to the grader"
        if code == -signal.SIGXCPU or code == 128 + signal.SIGXCPU:
            return f"it used more than {self.limits.cpu_seconds} s of CPU time"
        if code in (-signal.SIGKILL, 128 + signal.SIGKILL):
            return f"it was killed, probably for using more than {self.limits.memory_mb} MB"
        return f"its process ended by itself (exit status {code})"

    def _stop(self, reason: str) -> SubmissionStopped:
        if not self._stopped:
            self._stopped = f"the submission was stopped: {reason}"
            self._kill()
        return SubmissionStopped(self._stopped)

    def _kill(self) -> None:
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            with contextlib.suppress(OSError):
                stream.close()

    def close(self) -> None:
        """Stop the sandbox and every process it started; remove its private folder."""
        if self._process is not None and self._process.poll() is None and not self._stopped:
            try:
                self._send({"quit": True})
                self._process.wait(timeout=2)
            except (SubmissionStopped, subprocess.TimeoutExpired):
                pass
        self._kill()
        if self._workdir is not None:
            self._workdir.cleanup()
