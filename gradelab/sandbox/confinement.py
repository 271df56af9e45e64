"""Steps the sandbox takes on itself before running student code (Linux only).

They run inside fresh mount, network, PID and IPC namespaces made by util-linux ``unshare``,
still as root there: cover secret folders with empty tmpfs mounts, give the submission a
private ``/tmp``, set resource limits, then drop to an unprivileged user for good.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
from pathlib import Path

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

_libc = ctypes.CDLL(None, use_errno=True)


def _bytes(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    if _libc.mount(_bytes(source), _bytes(target), _bytes(fstype), flags, _bytes(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def _is_inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def hide_folders(hidden: list[str], visible: list[str], tmp_size_mb: int) -> None:
    """Cover each hidden folder with an empty tmpfs, then bring the visible ones back read-only.

    Visible folders are opened before anything is covered and bound back from
    ``/proc/self/fd``, so they stay reachable even when they lie inside a hidden folder.
    """
    handles = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in visible}
    covered: list[str] = []
    for folder in sorted(hidden, key=len):
        if not os.path.isdir(folder) or any(_is_inside(folder, c) for c in covered):
            continue
        options = f"mode=1777,size={tmp_size_mb}m" if folder == "/tmp" else "mode=755,size=1m"
        mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, options)
        covered.append(folder)
    for path, handle in handles.items():
        if any(_is_inside(path, c) for c in covered):
            Path(path).mkdir(parents=True, exist_ok=True, mode=0o755)
            mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC)
            mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(handle)


def set_limits(limits: dict[str, float]) -> None:
    """Apply CPU, memory, process, file and core limits to this process and its children."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime) + int(limits["cpu_seconds"])
    megabyte = 1024 * 1024
    for name, value in (
        ("RLIMIT_CPU", cpu),
        ("RLIMIT_AS", int(limits["memory_mb"]) * megabyte),
        ("RLIMIT_NPROC", int(limits["processes"])),
        ("RLIMIT_NOFILE", int(limits["open_files"])),
        ("RLIMIT_FSIZE", int(limits["file_size_mb"]) * megabyte),
        ("RLIMIT_CORE", 0),
    ):
        kind = getattr(resource, name)
        resource.setrlimit(kind, (value, value))


def drop_privileges(uid: int, gid: int) -> None:
    """Become an unprivileged user with no capabilities and no way back."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")


def die_with_parent() -> None:
    """Get SIGKILL when the parent process ends, so no sandbox outlives its grader."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
