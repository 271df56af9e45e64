"""What a submission may use: its limits, and the only folders it sees."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import gradelab

NOBODY = 65534

#: What the Python installation needs from the system, read-only: shared libraries (by
#: their usual paths: the loader looks them up there) and the loader's cache.
SYSTEM_FILES = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/etc/ld.so.cache")


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
    """What the sandbox sees of the machine: an allow-list.

    ``visible`` folders and files (the Python installation, gradelab, system libraries)
    are read-only; ``assignment`` (the instructor's released copy of the assignment) is the
    working folder, read-only underneath. Nothing else of the machine exists in there.
    """

    visible: tuple[str, ...]
    assignment: str | None = None
    unshare_command: str = "/usr/bin/unshare"
    uid: int = NOBODY
    gid: int = NOBODY

    @classmethod
    def for_assignment(
        cls, released: Path | None, extra_visible: tuple[str, ...] = ()
    ) -> Isolation:
        """The Python installation, gradelab, system libraries, ``extra_visible`` and the
        released files of one assignment (``released``, when given)."""
        python = (sys.prefix, sys.base_prefix, str(Path(gradelab.__file__).parent))
        resolved = [str(Path(path).resolve()) for path in (*python, *extra_visible)]
        return cls(
            visible=tuple(dict.fromkeys([*resolved, *SYSTEM_FILES])),
            assignment=str(released.resolve()) if released is not None else None,
        )
