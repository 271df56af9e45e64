"""A chain of folders thousands deep, made and removed without recursion (``shutil.rmtree``
recurses, and so does pytest's clean-up of old temporary folders)."""

from __future__ import annotations

import os
from pathlib import Path

NAME = "d"


def make_nested(top: Path, depth: int) -> None:
    """``top/d/d/...``, ``depth`` folders deep."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir(NAME, dir_fd=fd)
        inner = os.open(NAME, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)


def remove_nested(top: Path) -> None:
    """Remove the chain under ``top``, deepest first."""
    here = os.getcwd()
    depth = 0
    try:
        os.chdir(top)
        while os.path.isdir(NAME):
            os.chdir(NAME)
            depth += 1
        for _ in range(depth):
            os.chdir("..")
            os.rmdir(NAME)
    finally:
        os.chdir(here)
