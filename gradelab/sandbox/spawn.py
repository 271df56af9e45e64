"""The grading process's side of the fork server: ask it for sandboxes, hold each one.

One fork server runs per grading process, started on first use and again if it has died.
Sandboxes come back as ``ForkedSandbox`` handles with the parts of ``subprocess.Popen`` a
``Session`` uses: ``pid``, ``stdin``, ``stdout``, ``poll``, ``wait`` and ``kill``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from gradelab.sandbox import cgroups

START_SECONDS = 120.0
KILL_SECONDS = 5.0  # for a killed sandbox's processes to be gone


def sandbox_environment() -> dict[str, str]:
    """The environment of every sandbox: no secrets of the grader's, one BLAS thread."""
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


class SandboxUnavailable(RuntimeError):
    """The fork server could not be started or could not fork a sandbox."""


class ForkedSandbox:
    """A sandbox forked by the fork server: PID 1 of its own namespaces when confined."""

    def __init__(self, stdin: int, stdout: int, status: int) -> None:
        os.set_blocking(stdin, False)  # the grader writes with a deadline (Session._send)
        self.stdin = os.fdopen(stdin, "wb")
        self.stdout = os.fdopen(stdout, "rb", buffering=0)
        self._status = os.fdopen(status, "rb", buffering=0)
        self._lines = b""
        self.returncode: int | None = None
        self.out_of_memory = False
        first = self._status_line(START_SECONDS)
        if first is None or not first.isdigit():
            self.close()
            detail = first.decode(errors="replace") if first else "no answer"
            raise SandboxUnavailable(f"the fork server could not start a sandbox: {detail}")
        self.pid = int(first)

    def _status_line(self, timeout: float | None) -> bytes | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._lines:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self._status], [], [], wait)[0]:
                return None
            chunk = os.read(self._status.fileno(), 4096)
            if not chunk:
                return b""
            self._lines += chunk
        line, _, self._lines = self._lines.partition(b"\n")
        return line.strip()

    def poll(self) -> int | None:
        return self._wait(0.0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._wait(timeout)
        if code is None:
            raise subprocess.TimeoutExpired("sandbox", timeout or 0.0)
        return code

    def _wait(self, timeout: float | None) -> int | None:
        if self.returncode is None:
            line = self._status_line(timeout)
            if line is None:
                return None
            code, _, flag = line.partition(b" ")
            self.returncode = int(code) if code.lstrip(b"-").isdigit() else -signal.SIGKILL
            self.out_of_memory = flag == b"oom"
        return self.returncode

    def kill(self) -> None:
        """Kill the sandbox and, with it, every process of its namespace or session; wait
        (up to ``KILL_SECONDS``) until none of them holds its output any more.

        The fork server's helper kills it when this end of the status pipe closes: the helper
        has not reaped the sandbox yet, so the PID it names is still the sandbox's. Here,
        once the sandbox has ended, its PID may already be another process's."""
        if self.returncode is not None:
            return
        self.returncode = -signal.SIGKILL
        with contextlib.suppress(OSError):
            self._status.close()
        with contextlib.suppress(OSError, ValueError):
            fd = self.stdout.fileno()
            deadline = time.monotonic() + KILL_SECONDS
            while (wait := deadline - time.monotonic()) > 0:
                if not select.select([fd], [], [], wait)[0] or not os.read(fd, 1 << 16):
                    break

    def close(self) -> None:
        for stream in (self.stdin, self.stdout, self._status):
            with contextlib.suppress(OSError):
                stream.close()


class ForkServer:
    """A running ``gradelab.sandbox.forkserver`` and the socket to ask it for sandboxes.

    Requests sent while it is still importing wait in the socket until it is ready. Several
    processes may share one server (workers forked from the process that started it): each
    request is one message carrying its own pipes.
    """

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._control = ours
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-B", "-m", "gradelab.sandbox.forkserver"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            env={**sandbox_environment(), "GRADELAB_CONTROL_FD": str(theirs.fileno())},
            cwd="/",
            start_new_session=True,  # it ends once every holder of the socket has closed it
        )
        theirs.close()

    def fork(self, confine: bool, memory_mb: int, processes: int) -> ForkedSandbox:
        pipes = [os.pipe(), os.pipe(), os.pipe()]  # the sandbox's stdin, stdout, status
        theirs = [pipes[0][0], pipes[1][1], pipes[2][1]]
        cgroup = confine and cgroups_available()
        request = {
            "confine": confine,
            "cgroup": cgroup,
            "memory_mb": memory_mb,
            "processes": processes,
        }
        try:
            request = json.dumps(request).encode()
            socket.send_fds(self._control, [request], theirs)
        except OSError as error:
            for read, write in pipes:
                os.close(read)
                os.close(write)
            raise ServerGone(f"the fork server is gone: {error}") from None
        for fd in theirs:
            os.close(fd)
        return ForkedSandbox(pipes[0][1], pipes[1][0], pipes[2][0])


class ServerGone(SandboxUnavailable):
    pass


_server: ForkServer | None = None
_lock = threading.Lock()
os.register_at_fork(after_in_child=lambda: globals().update(_lock=threading.Lock()))


def start_fork_server() -> ForkServer:
    """This process's fork server (inherited, or started now)."""
    global _server
    with _lock:
        if _server is None:
            _server = ForkServer()
        return _server


@functools.cache
def cgroups_available() -> bool:
    """Whether sandboxes get a control group (one memory and process budget) here."""
    return cgroups.available() is None


def fork_sandbox(confine: bool, memory_mb: int, processes: int) -> ForkedSandbox:
    """A new sandbox from this process's fork server, started again if it has died; when
    confined, in a control group limiting all its processes to ``memory_mb`` and
    ``processes`` together (where the machine offers cgroups)."""
    global _server
    try:
        return start_fork_server().fork(confine, memory_mb, processes)
    except ServerGone:
        with _lock:
            _server = None
        return start_fork_server().fork(confine, memory_mb, processes)
