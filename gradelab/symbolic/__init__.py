"""Safe symbolic answer checking: read typed math without evaluating it as code, compare it
with the expected answer numerically and exactly, and name known mistakes.

See ``docs/symbolic.md``.
"""

from gradelab.symbolic import sigfigs
from gradelab.symbolic.check import CheckResult, check
from gradelab.symbolic.mistakes import Mistake
from gradelab.symbolic.parse import Parsed, parse
from gradelab.symbolic.tokens import ParseError

__all__ = ["CheckResult", "Mistake", "ParseError", "Parsed", "check", "parse", "sigfigs"]
