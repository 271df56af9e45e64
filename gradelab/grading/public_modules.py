"""An assignment's public modules, importable by name in its hidden tests and reference.

The modules beside a notebook (``source/<a>/checks.py``, released to ``release/<a>/``) are
imported by name, as the notebook does: ``from checks import check_gradient``. Two
assignments may both have a ``checks.py``, and one grading process may grade several
assignments, so the names are only bound while an assignment's suite and reference are
loaded: afterwards the modules live on in what imported them, and the names are free again.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def module_names(folder: Path) -> set[str]:
    """Top-level module and package names that ``folder`` provides."""
    if not folder.is_dir():
        return set()
    names = {path.stem for path in folder.glob("*.py")}
    names |= {path.name for path in folder.iterdir() if (path / "__init__.py").is_file()}
    return names


def _provided(module_name: str, names: set[str]) -> bool:
    return module_name.split(".", 1)[0] in names


@contextmanager
def public_modules(folder: Path) -> Iterator[None]:
    """While inside, ``import <name>`` finds the modules of ``folder`` first."""
    names = module_names(folder)
    shadowed = {name: sys.modules.pop(name) for name in list(sys.modules) if _provided(name, names)}
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if _provided(name, names)]:
            del sys.modules[name]
        sys.modules.update(shadowed)
