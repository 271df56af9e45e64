"""nbgrader's metadata of a cell that gradelab writes into a notebook it builds."""

from __future__ import annotations


def nbgrader_metadata(
    grade_id: str, *, solution: bool = False, points: float | None = None
) -> dict:
    """An answer cell (``solution``), a test cell (with ``points``), or a locked cell."""
    meta = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    return meta
