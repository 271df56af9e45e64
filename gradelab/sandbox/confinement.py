"""Steps the sandbox takes on itself before running student code (Linux only).

They run inside fresh mount, network, PID, IPC and UTS namespaces, still as root there:
change root to an empty file system that holds only what the sandbox needs (an allow-list,
read-only), give the submission a private ``/tmp``, set resource limits, then drop to an
unprivileged user for good.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal

from gradelab.sandbox import seccomp

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MNT_DETACH = 2
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
NOBODY = 65534
#: The only devices a sandbox sees.
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

_libc = ctypes.CDLL(None, use_errno=True)


def _bytes(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    if _libc.mount(_bytes(source), _bytes(target), _bytes(fstype), flags, _bytes(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def _open(path: str) -> int | None:
    """An O_PATH handle on ``path`` (a folder or a file), or None if it does not exist."""
    try:
        return os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return None


def _bind_read_only(handle: int, target: str, is_folder: bool) -> None:
    """Bind what ``handle`` opened onto ``target`` (made first), read-only."""
    if is_folder:
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o644))
    mount(f"/proc/self/fd/{handle}", target, None, MS_BIND | MS_REC)
    mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _pivot_root(new_root: str, put_old: str) -> None:
    number = PIVOT_ROOT.get(platform.machine())
    if number is None or _libc.syscall(number, new_root.encode(), put_old.encode()) != 0:
        errno = ctypes.get_errno() if number is not None else 0
        raise OSError(errno, f"pivot_root: {os.strerror(errno) if errno else 'unknown machine'}")


def enter_empty_root(visible: list[str], assignment: str | None, tmp_size_mb: int) -> str:
    """Make this process's root an empty file system holding only ``visible`` (folders and
    files, read-only, at their own paths), a fresh ``/proc``, a few devices, a private
    ``/tmp`` of ``tmp_size_mb`` and, at its own path, a writable view of the assignment's
    released files (the files stay read-only underneath: writes land in ``/tmp``).

    Runs as root in fresh mount and PID namespaces. Returns the folder to work in.
    """
    handles = {path: _open(path) for path in [*visible, *DEVICES]}
    links = {path: os.readlink(path) for path in visible if os.path.islink(path)}
    lower = _open(assignment) if assignment else None
    root = "/tmp"  # any folder will do: what lies under it is reached through the handles
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=4m")
    # The private /tmp first: folders bound below that lie under the host's /tmp (a course
    # cloned there) land on top of it, not under it.
    os.makedirs(root + "/tmp", mode=0o755)
    mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={tmp_size_mb}m")
    os.makedirs(root + "/proc", mode=0o555)
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + "/dev", mode=0o755)
    mount("tmpfs", root + "/dev", "tmpfs", MS_NOSUID, "mode=755,size=64k")
    for path in DEVICES:
        if handles[path] is not None:
            os.close(os.open(root + path, os.O_WRONLY | os.O_CREAT, 0o666))
            mount(f"/proc/self/fd/{handles[path]}", root + path, None, MS_BIND)
    bound: list[str] = []
    for path in sorted(handles, key=len):
        handle = handles[path]
        inside = any(path == b or path.startswith(b.rstrip("/") + "/") for b in bound)
        if handle is None or path in links or path in DEVICES or inside:
            continue
        _bind_read_only(handle, root + path, os.path.isdir(f"/proc/self/fd/{handle}"))
        bound.append(path)
    for path, target in links.items():
        os.makedirs(os.path.dirname(root + path), mode=0o755, exist_ok=True)
        os.symlink(target, root + path)
    workdir = "/tmp"
    if lower is not None and assignment:
        layers = root + "/tmp/.assignment"
        os.makedirs(layers + "/changes", mode=0o755)
        os.makedirs(layers + "/work", mode=0o700)
        os.chown(layers + "/changes", NOBODY, NOBODY)
        os.makedirs(root + assignment, mode=0o755, exist_ok=True)
        options = f"lowerdir=/proc/self/fd/{lower},upperdir={layers}/changes,workdir={layers}/work"
        mount("overlay", root + assignment, "overlay", MS_NOSUID | MS_NODEV, options)
        workdir = assignment
    for handle in [*handles.values(), lower]:
        if handle is not None:
            os.close(handle)
    os.makedirs(root + "/.old", mode=0o700)
    os.chdir(root)
    _pivot_root(".", ".old")
    os.chdir("/")
    if _libc.umount2(b"/.old", MNT_DETACH) != 0:
        raise OSError(ctypes.get_errno(), "umount /.old")
    os.rmdir("/.old")
    mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=755,size=4m")
    return workdir


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
    """Become an unprivileged user with no capabilities and no way back, whose riskiest
    system calls (new namespaces, mounts, ptrace, ...) fail (``seccomp``)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    seccomp.install()


def die_with_parent() -> None:
    """Get SIGKILL when the parent process ends, so no sandbox outlives its grader."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
