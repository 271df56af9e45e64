"""A pre-warmed parent for sandboxes: each sandbox is a fork of it, in fresh namespaces.

Started once per grading process as ``python -m gradelab.sandbox.forkserver`` (by
``spawn``, which passes the control socket's descriptor in ``GRADELAB_CONTROL_FD``), it imports
what submissions use (numpy, sympy, the public checks) and the jail, then waits on its
control socket. For each request it forks a helper that unshares new mount, PID, network,
IPC and UTS namespaces and forks the sandbox, which is PID 1 there: killing it ends every
process the submission started. The sandbox then confines itself exactly as a freshly
started jail does (``jail.main``). So a sandbox costs a fork, not an interpreter start and
the imports.

Request (on the control socket, with three file descriptors: the sandbox's stdin, its
stdout and a status pipe): ``{"confine": true, "cgroup": true, "memory_mb": 1024,
"processes": 32}``. The helper puts the sandbox in a control group of its own with those
limits (``cgroups``), then writes to the status pipe the sandbox's PID, and its exit status
once it has ended (followed by `` oom`` if the group ran out of memory), one per line.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import select
import signal
import socket
import sys

from gradelab.sandbox import cgroups, confinement, jail

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACES = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET
MS_PRIVATE = 1 << 18
#: Generic modules submissions use; an assignment's own modules are imported by its notebook.
PRELOADED = ("numpy", "sympy", "gradelab.student", "gradelab.student.quiz")

_libc = ctypes.CDLL(None, use_errno=True)


def enter_namespaces() -> None:
    """Unshare the namespaces (the next child is PID 1 of the new PID namespace) and keep
    this mount namespace's changes from reaching the machine."""
    if _libc.unshare(NAMESPACES) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare: {os.strerror(errno)}")
    confinement.mount(None, "/", None, confinement.MS_REC | MS_PRIVATE)


def run_sandbox(stdin: int, stdout: int) -> None:
    """In the sandbox process: its own session, its pipes as stdin and stdout, the jail."""
    os.setsid()
    os.dup2(stdin, 0)
    os.dup2(stdout, 1)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    jail.main(after_privileges_dropped=confinement.die_with_parent)


def run_helper(fds: list[int], request: dict) -> None:
    """In the forked helper: make the namespaces and the control group, fork the sandbox
    into them, report on it, wait, and remove the group."""
    stdin, stdout, status = fds
    confinement.die_with_parent()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    group = None
    if request["confine"]:
        enter_namespaces()
        if request.get("cgroup"):
            group = cgroups.make_group(int(request["memory_mb"]), int(request["processes"]))
    pid = os.fork()
    if pid == 0:
        os.close(status)
        run_sandbox(stdin, stdout)
    os.close(stdin)
    os.close(stdout)
    try:
        if group is not None:
            group.add(pid)
        os.write(status, f"{pid}\n".encode())
        code = os.waitstatus_to_exitcode(wait_or_end(pid, status))
        out_of_memory = group is not None and group.ran_out_of_memory()
        with contextlib.suppress(BrokenPipeError):  # the grader killed it: nobody listens
            os.write(status, f"{code}{' oom' if out_of_memory else ''}\n".encode())
    finally:
        if group is not None:
            group.remove()


def wait_or_end(pid: int, status: int) -> int:
    """Wait for the sandbox to end; kill it, and every process of its session, once the
    grading process that asked for it closes its end of the status pipe (to kill it, or
    because it is gone), and return its wait status. Until it is reaped here, its PID and
    its session's are its own."""
    watcher = select.poll()
    ended = os.pidfd_open(pid)
    watcher.register(ended, select.POLLIN)
    watcher.register(status, 0)  # a pipe's writer hears POLLERR once no reader is left
    while ended not in dict(watcher.poll()):
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError):
                kill(pid, signal.SIGKILL)
        watcher.unregister(status)
    return os.waitpid(pid, 0)[1]


def serve(control: socket.socket) -> None:
    """Fork a sandbox for each request until the grading process closes the socket."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # helpers are reaped by the kernel
    while True:
        message, fds, _, _ = socket.recv_fds(control, 4096, 3)
        if not message:
            return
        request = json.loads(message)
        if os.fork() == 0:
            control.close()
            code = 0
            try:
                run_helper(fds, request)
            except BaseException as error:  # noqa: BLE001 - reported, then the helper ends
                with contextlib.suppress(OSError):
                    os.write(fds[2], f"error {type(error).__name__}: {error}\n".encode())
                code = 1
            os._exit(code)
        for fd in fds:
            os.close(fd)


def main() -> None:
    control = socket.socket(fileno=int(os.environ.pop("GRADELAB_CONTROL_FD")))
    for name in PRELOADED:
        __import__(name)
    serve(control)
    sys.exit(0)


if __name__ == "__main__":
    main()
