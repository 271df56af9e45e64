"""What a submission may use: the limits and the folders it must not see."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import gradelab

NOBODY = 65534

#: Folders hidden from every submission, besides the course folder itself.
SYSTEM_HIDDEN_PATHS = ("/root", "/home", "/tmp", "/var/tmp", "/dev/shm", "/srv", "/mnt", "/media")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission's sandbox."""

    wall_seconds: float = 10.0
    call_seconds: float = 1.0
    call_factor: float = 50.0
    cpu_seconds: int = 10
    memory_mb: int = 1024
    processes: int = 32
    open_files: int = 64
    file_size_mb: int = 16
    tmp_size_mb: int = 64

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Isolation:
    """How the sandbox is walled off from the machine.

    ``hidden`` folders are covered by empty file systems; ``visible`` folders (the Python
    installation and gradelab itself) stay readable inside them, read-only.
    """

    hidden: tuple[str, ...]
    visible: tuple[str, ...]
    unshare_command: str = "/usr/bin/unshare"
    uid: int = NOBODY
    gid: int = NOBODY

    @classmethod
    def for_course(cls, course_root: Path, extra_hidden: tuple[str, ...] = ()) -> Isolation:
        """Hide the course folder (solutions, hidden tests, gradebook, submissions) and homes."""
        hidden = (str(course_root.resolve()), *SYSTEM_HIDDEN_PATHS, *extra_hidden)
        visible = (
            sys.prefix,
            sys.base_prefix,
            str(Path(gradelab.__file__).resolve().parent),
        )
        return cls(
            hidden=tuple(dict.fromkeys(hidden)),
            visible=tuple(dict.fromkeys(str(Path(p).resolve()) for p in visible)),
        )
