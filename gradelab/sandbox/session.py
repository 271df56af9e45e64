"""The trusted side of the sandbox: start it, feed it a notebook, call into it, stop it.

A ``Session`` owns the sandbox of one submission. Every call returns plain data decoded by
``wire``, or raises a ``SubmissionError`` whose ``feedback`` is one line a student may read.

Time: each call has a time limit (``Limits.call_seconds`` unless the caller gives one);
a call that takes longer, or that kills the
sandbox process, costs the sandbox (and every process it started: it is PID 1 of its own PID
namespace) and marks that function as failed; the next call boots a fresh sandbox, so the
rest of the submission is still graded. All of it shares one budget, ``Limits.wall_seconds``:
when that is spent, the submission is stopped for good.
"""

from __future__ import annotations

import functools
import os
import select
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from gradelab.errors import IsolationUnavailable
from gradelab.sandbox import spawn, wire
from gradelab.sandbox.limits import Isolation, Limits
from gradelab.text import printable

BOOT_SECONDS = 60.0
NPROC_WITH_CGROUP = 4096
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
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


class SubmissionError(Exception):
    """Something the submission did; ``feedback`` says it in one line for the student."""

    @property
    def feedback(self) -> str:
        return str(self)


class StudentRaised(SubmissionError):
    def __init__(self, what: str, error: dict[str, Any]) -> None:
        self.type = printable(error.get("type"), 80)
        self.cell = printable(error["cell"], 80) if error.get("cell") else None
        self.line = printable(error.get("line"), 12)
        kinds = error.get("kinds")
        self.kinds = [printable(k, 80) for k in kinds[:20]] if isinstance(kinds, list) else []
        where = f" (cell '{self.cell}', line {self.line})" if self.cell else ""
        unwritten = " - it is not written yet" if self.type == "NotImplementedError" else ""
        super().__init__(f"{what} raised {self.type}{where}{unwritten}")


class StudentMissing(SubmissionError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"'{name}' is not defined: did its cell run without errors?")


class SubmissionStopped(SubmissionError):
    """The submission is stopped for good: its time budget is spent or its cells crash."""


class SandboxLost(Exception):
    """The sandbox process had to be killed or died; ``reason`` says why, for a student."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class CellReport:
    name: str
    error: dict[str, Any] | None
    #: What the cell showed, when asked for (``Session.start(..., outputs=True)``): lists of
    #: strings, ``[kind, text]`` or ``["error", type, message, traceback]``.
    outputs: list[list[str]] = field(default_factory=list)


def valid_outputs(outputs: Any) -> bool:
    """Whether a cell's outputs are what ``cell_outputs`` sends: lists of strings."""
    return isinstance(outputs, list) and all(
        isinstance(item, list)
        and len(item) in (2, 4)
        and all(isinstance(part, str) for part in item)
        and item[0] in (("error",) if len(item) == 4 else ("stdout", "stderr", "result"))
        for item in outputs
    )


def cell_reports(
    reply: dict[str, Any], code: list[tuple[str, str]], outputs: bool = False
) -> list[CellReport]:
    """The sandbox's report on the cells it ran, checked: one per cell, in order, named as
    sent; anything else is a reply the grader cannot read (the submission's failure)."""
    reports = reply.get("cells")
    if not isinstance(reports, list) or len(reports) != len(code):
        raise SandboxLost("it sent a reply the grader cannot read")
    checked = []
    for report, (name, _) in zip(reports, code, strict=True):
        error = report.get("error") if isinstance(report, dict) else "malformed"
        if error is not None and not isinstance(error, dict):
            raise SandboxLost("it sent a reply the grader cannot read")
        shown = report.get("outputs", []) if outputs else []
        if not valid_outputs(shown):
            raise SandboxLost("it sent a reply the grader cannot read")
        checked.append(CellReport(name, error, shown))
    return checked


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


@dataclass
class Session:
    """One submission's sandbox. Use as a context manager; it always cleans up."""

    isolation: Isolation
    limits: Limits = field(default_factory=Limits)
    accept_weak_isolation: bool = False
    notes: list[str] = field(default_factory=list)
    cells: list[CellReport] = field(default_factory=list)
    _code: list[tuple[str, str]] = field(default_factory=list)
    _outputs: bool = False
    _confine: bool = True
    _process: subprocess.Popen | None = None
    _spent: float = 0.0
    _stopped: str | None = None
    _failed: dict[str, str] = field(default_factory=dict)
    _buffer: bytearray = field(default_factory=bytearray)
    _scanned: int = 0
    _workdir: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- starting ---------------------------------------------------------------------
    def start(self, cells: list[tuple[str, str]], outputs: bool = False) -> list[CellReport]:
        """Boot the sandbox and run the notebook's code cells, in order, inside it; with
        ``outputs``, each report holds what its cell showed."""
        reason = namespaces_work(self.isolation.unshare_command)
        if reason is not None and not self.accept_weak_isolation:
            raise IsolationUnavailable(
                f"cannot create the sandbox's namespaces ({reason}); grading stopped. Run as "
                "root on Linux with util-linux, or pass --accept-weak-isolation to grade "
                "with rlimits only (every score then carries a note)."
            )
        self._confine = reason is None
        if not self._confine:
            self.notes.append(WEAK_ISOLATION_NOTE)
        self._code = cells
        self._outputs = outputs
        self._workdir = tempfile.TemporaryDirectory(prefix="gradelab-sandbox-")
        self._boot()
        return self.cells

    def _boot(self) -> None:
        """Start a sandbox process and run the cells in it; a failure here is final."""
        if self._stopped:
            raise SubmissionStopped(self._stopped)
        try:
            self._launch()
            self._send(self._settings(), BOOT_SECONDS, charge=False)
            self._receive(BOOT_SECONDS, charge=False)
            cells = [{"name": n, "source": src} for n, src in self._code]
            self._send({"cells": cells, "outputs": self._outputs})
            self.cells = cell_reports(self._receive(self._remaining()), self._code, self._outputs)
        except SandboxLost as lost:
            self._kill()  # nothing more is asked of a sandbox that broke the protocol
            self._stopped = f"the submission was stopped: {lost.reason}"
            raise SubmissionStopped(self._stopped) from None

    def _launch(self) -> None:
        self._buffer = bytearray()
        self._scanned = 0
        try:
            limits = self.limits
            self._process = spawn.fork_sandbox(self._confine, limits.memory_mb, limits.processes)
        except spawn.SandboxUnavailable as error:
            raise SandboxLost(str(error)) from None

    def _settings(self) -> dict[str, Any]:
        return {
            "confine": self._confine,
            "visible": list(self.isolation.visible),
            "assignment": self.isolation.assignment,
            "uid": self.isolation.uid,
            "gid": self.isolation.gid,
            "limits": self.limits.as_dict(),
            # With a control group, the process limit holds per sandbox; RLIMIT_NPROC counts
            # every process of the sandbox user on the machine, so it is only a safety net.
            "nproc": NPROC_WITH_CGROUP if spawn.cgroups_available() else self.limits.processes,
            "tmp_mb": self.limits.tmp_size_mb,
            "workdir": self._workdir.name,
        }

    # -- calling ----------------------------------------------------------------------
    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the student's function ``name`` with data; return its result as data."""
        return self.call_within(self.limits.call_seconds, name, *args, **kwargs)

    def call_within(self, seconds: float, name: str, *args: Any, **kwargs: Any) -> Any:
        """``call``, with a time limit of its own for this call."""
        return self.call_without((), seconds, name, *args, **kwargs)

    def call_without(
        self, hidden: tuple[str, ...], seconds: float, name: str, *args: Any, **kwargs: Any
    ) -> Any:
        """``call_within``, the student's names ``hidden`` gone during the call (to tell
        whether ``name`` uses them)."""
        request = {"call": name, "args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)}
        if hidden:
            request["without"] = list(hidden)
        return self._value(name, request, seconds)

    def get(self, name: str) -> Any:
        """Read the value of the student's variable ``name`` as data."""
        return self._value(name, {"get": name}, self.limits.call_seconds)

    def _value(self, name: str, request: dict[str, Any], seconds: float) -> Any:
        if self._stopped:
            raise SubmissionStopped(self._stopped)
        if name in self._failed:
            raise SubmissionError(self._failed[name])
        if self._process is None:
            self._boot()
        try:
            self._send(request, min(seconds, self._remaining()))
            reply = self._receive(min(seconds, self._remaining()))
        except SandboxLost as lost:
            self._kill()
            if self._remaining() <= 0:
                self._stopped = (
                    f"the submission was stopped: it ran past its "
                    f"{self.limits.wall_seconds:g} s time limit"
                )
                raise SubmissionStopped(self._stopped) from None
            self._failed[name] = f"{name}: {lost.reason}; it is not called again"
            raise SubmissionError(self._failed[name]) from None
        return self._result(name, reply)

    def _result(self, name: str, reply: dict[str, Any]) -> Any:
        if "error" in reply:
            error = reply["error"]
            if not isinstance(error, dict) or not all(isinstance(k, str) for k in error):
                raise SubmissionError(f"{name} sent a reply the grader cannot read")
            if error.get("type") == "Missing":
                raise StudentMissing(name)
            if error.get("type") == "WireError":
                raise SubmissionError(f"{name} returned a value that cannot be graded as data")
            raise StudentRaised(name, error)
        started = time.monotonic()
        try:
            return wire.decode(reply["value"])
        except (KeyError, wire.WireError):
            raise SubmissionError(f"{name} returned data the grader cannot read") from None
        finally:
            self._spent += (
                time.monotonic() - started
            )  # rebuilding its data is the submission's time

    # -- the pipe ---------------------------------------------------------------------
    def _remaining(self) -> float:
        return self.limits.wall_seconds - self._spent

    def _send(
        self, message: dict[str, Any], timeout: float | None = None, charge: bool = True
    ) -> None:
        """Write one request, within ``timeout`` (by default what is left of the budget): a
        sandbox that stops reading its requests cannot make the grader wait."""
        data = memoryview(wire.dumps(message))
        fd = self._process.stdin.fileno()
        started = time.monotonic()
        deadline = started + max(self._remaining() if timeout is None else timeout, 0.0)
        try:
            while data:
                wait = deadline - time.monotonic()
                if wait <= 0 or not select.select([], [fd], [], wait)[1]:
                    raise SandboxLost("it stopped reading what the grader sent")
                try:
                    data = data[os.write(fd, data) :]
                except BlockingIOError:
                    continue
                except OSError:
                    raise SandboxLost(self._death_reason()) from None
        finally:
            if charge:
                self._spent += time.monotonic() - started

    def _receive(self, timeout: float, charge: bool = True) -> dict[str, Any]:
        """The next reply, read and parsed within ``timeout``, charged to the budget."""
        started = time.monotonic()
        try:
            line = self._read_line(started + max(timeout, 0.0))
            if line is None:
                raise SandboxLost(f"it did not finish within {timeout:.3g} s")
            try:
                return wire.loads(line)
            except wire.WireError:
                raise SandboxLost("it sent a reply the grader cannot read") from None
        finally:
            if charge:
                self._spent += time.monotonic() - started

    def _read_line(self, deadline: float) -> bytes | None:
        """The next line from the sandbox; None when the deadline passes first. Each byte is
        looked at once, and no line may pass ``MAX_MESSAGE_BYTES``."""
        fd = self._process.stdout.fileno()
        while (end := self._buffer.find(b"\n", self._scanned)) < 0:
            self._scanned = len(self._buffer)
            if self._scanned > MAX_MESSAGE_BYTES:
                raise SandboxLost(f"it sent more than {MAX_MESSAGE_BYTES // 2**20} MB at once")
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise SandboxLost(self._death_reason())
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        self._scanned = 0
        return line

    def _death_reason(self) -> str:
        try:
            code = self._process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "it closed its connection to the grader"
        if code == -signal.SIGXCPU or code == 128 + signal.SIGXCPU:
            return f"it used more than {self.limits.cpu_seconds} s of CPU time"
        if getattr(self._process, "out_of_memory", False):
            return f"it used more than {self.limits.memory_mb} MB of memory"
        if code in (-signal.SIGKILL, 128 + signal.SIGKILL):
            return f"it was killed, probably for using more than {self.limits.memory_mb} MB"
        return f"it ended the submission's process (exit status {code})"

    def _kill(self) -> None:
        if self._process is None:
            return
        self._process.kill()
        self._process.wait()
        self._process.close()
        self._process = None

    def close(self) -> None:
        """Stop the sandbox and every process it started; remove its private folder."""
        if self._process is not None and self._process.poll() is None:
            try:
                self._send({"quit": True}, 0.5, charge=False)
                self._process.wait(timeout=2)
            except (SandboxLost, subprocess.TimeoutExpired):
                pass
        self._kill()
        if self._workdir is not None:
            self._workdir.cleanup()
