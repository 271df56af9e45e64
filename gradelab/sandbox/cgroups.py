"""One memory and process budget for a whole sandbox, through the kernel's cgroups.

rlimits bind each process alone: a submission that forks eight children gets eight times
its memory. A control group holds the sandbox and every process it starts, and the kernel
counts them together: past ``memory_mb`` the group's out-of-memory killer ends one of
them, past ``processes`` a fork fails. Files the sandbox writes to its ``/tmp`` (a tmpfs)
count against its memory as well.

Both cgroup versions work: v1 with its ``memory`` and ``pids`` hierarchies (each sandbox's
group is made inside this process's own group, so a limit set on the grader still holds),
or v2 (a ``gradelab`` group at the top of the unified hierarchy with both controllers
enabled). Where neither is available, ``available()`` says why, and the sandbox falls back
to per-process rlimits.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids")


def _own_path(controller: str) -> str:
    """This process's group in the v1 hierarchy of ``controller`` ("/" if none)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            return path
    return "/"


def _v2_root() -> Path | None:
    for candidate in (ROOT, ROOT / "unified"):
        controllers = candidate / "cgroup.controllers"
        if controllers.is_file() and set(V1_CONTROLLERS) <= set(controllers.read_text().split()):
            return candidate
    return None


@dataclass(frozen=True)
class Group:
    """A sandbox's control group (one folder per hierarchy)."""

    folders: tuple[Path, ...]
    version: int

    def add(self, pid: int) -> None:
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(pid))

    def ran_out_of_memory(self) -> bool:
        """Whether the kernel killed a process of the group for memory."""
        events = "memory.oom_control" if self.version == 1 else "memory.events"
        for folder in self.folders:
            with contextlib.suppress(OSError, ValueError):
                for line in (folder / events).read_text().splitlines():
                    name, _, count = line.partition(" ")
                    if name == "oom_kill" and int(count) > 0:
                        return True
        return False

    def remove(self) -> None:
        """Remove the group once its processes are gone (they may take a moment to die)."""
        for folder in self.folders:
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    _kill_all(folder)
                    time.sleep(0.01)


def _kill_all(folder: Path) -> None:
    with contextlib.suppress(OSError, ValueError):
        for pid in (folder / "cgroup.procs").read_text().split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), 9)


def _v1_folders() -> list[Path] | None:
    folders = [ROOT / c / _own_path(c).lstrip("/") for c in V1_CONTROLLERS]
    if all(
        (folder / "cgroup.procs").is_file() and os.access(folder, os.W_OK) for folder in folders
    ):
        return folders
    return None


def available() -> str | None:
    """None when sandbox groups can be made here, else why not."""
    if os.geteuid() != 0:
        return "cgroups need root"
    if _v1_folders() is not None:
        return None
    root = _v2_root()
    if root is not None and os.access(root, os.W_OK):
        return None
    return "neither the v1 memory and pids controllers nor a v2 hierarchy with them is writable"


def make_group(memory_mb: int, processes: int) -> Group:
    """A new group limiting its processes together to ``memory_mb`` and ``processes``."""
    name = f"gradelab-{uuid.uuid4().hex[:16]}"
    bytes_ = str(memory_mb * 1024 * 1024)
    v1 = _v1_folders()
    if v1 is not None:
        memory, pids = (parent / name for parent in v1)
        for folder in (memory, pids):
            folder.mkdir()
        (memory / "memory.limit_in_bytes").write_text(bytes_)
        with contextlib.suppress(OSError):  # only where swap accounting is on
            (memory / "memory.memsw.limit_in_bytes").write_text(bytes_)
        (pids / "pids.max").write_text(str(processes))
        return Group((memory, pids), 1)
    root = _v2_root()
    if root is None:
        raise OSError("no cgroup hierarchy with the memory and pids controllers")
    parent = root / "gradelab"
    parent.mkdir(exist_ok=True)
    for folder in (root, parent):
        with contextlib.suppress(OSError):
            (folder / "cgroup.subtree_control").write_text("+memory +pids")
    folder = parent / name
    folder.mkdir()
    (folder / "memory.max").write_text(bytes_)
    with contextlib.suppress(OSError):
        (folder / "memory.swap.max").write_text("0")
    (folder / "pids.max").write_text(str(processes))
    return Group((folder,), 2)
