"""Where a course keeps things, read from its ``nbgrader_config.py``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


@dataclass(frozen=True)
class Course:
    root: Path
    course_id: str
    db_url: str

    @classmethod
    def load(cls, root: Path | str = ".") -> Course:
        """Read the course whose ``nbgrader_config.py`` is in ``root``."""
        root = Path(root).resolve()
        if not (root / CONFIG_FILE).is_file():
            raise FileNotFoundError(f"{root / CONFIG_FILE}: not found; run gradelab in a course")
        config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
        directory = config.get("CourseDirectory", {})
        db_url = directory.get("db_url", f"sqlite:///{root / 'gradebook' / 'gradebook.db'}")
        return cls(
            root=root,
            course_id=str(directory.get("course_id", "course")),
            db_url=str(db_url),
        )

    def assignments(self) -> list[str]:
        """Assignments in ``source/``, in name order."""
        return sorted(p.name for p in (self.root / "source").iterdir() if p.is_dir())

    def source_notebooks(self, assignment: str) -> list[Path]:
        return sorted((self.root / "source" / assignment).glob("*.ipynb"))

    def release_notebook(self, assignment: str, notebook: str) -> Path:
        return self.root / "release" / assignment / f"{notebook}.ipynb"

    def submission_folder(self, student: str, assignment: str) -> Path:
        return self.root / "submitted" / student / assignment

    def hidden_suite(self, assignment: str) -> Path:
        return self.root / "autograder" / assignment

    def reference_solution(self, assignment: str) -> Path:
        return self.root / "solutions" / f"{assignment}.py"
