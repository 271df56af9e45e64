"""``gradelab``: the instructor's front door. Run it in the course folder."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# Grading runs a worker per core, each doing many small numpy computations: BLAS threads
# would only compete with the workers for the cores. Set before numpy is first imported.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from gradelab import nbgrader_commands  # noqa: E402
from gradelab.course import Course  # noqa: E402
from gradelab.sandbox import spawn  # noqa: E402
from gradelab.sandbox.limits import Isolation  # noqa: E402
from gradelab.sandbox.session import IsolationUnavailable, namespaces_work  # noqa: E402
from gradelab.symbolic.command import add_check_expr_command  # noqa: E402

if TYPE_CHECKING:
    from gradelab.selftest import Verdict

# Each command imports what it needs when it runs: nbgrader, pytest, sympy and matplotlib
# take seconds to import, and most commands need only some of them.
DEFAULT_WORKERS = os.cpu_count() or 1

COURSE_FREE = {"check-expr"}
EXAMPLES = {
    "release": "gradelab release mse_gradient",
    "autograde": "gradelab autograde mse_gradient --student alice",
    "feedback": "gradelab feedback mse_gradient",
    "export": "gradelab export --to gradebook/grades.csv",
    "report": "gradelab report mse_gradient",
    "selftest": "gradelab selftest mse_gradient",
    "demo": "gradelab demo",
}


def assignments_or_all(course: Course, names: list[str]) -> list[str]:
    known = course.assignments()
    for name in names:
        if name not in known:
            raise SystemExit(f"gradelab: no assignment '{name}' in {course.root / 'source'}")
    return names or known


def require_isolation(weak: bool) -> None:
    reason = namespaces_work(Isolation.for_course(Path(".")).unshare_command)
    if reason is not None and not weak:
        raise IsolationUnavailable(
            f"cannot create the sandbox's namespaces ({reason}); nothing was graded. Run as "
            "root on Linux with util-linux, or pass --accept-weak-isolation."
        )


def score_table(course: Course, assignment: str) -> str:
    from gradelab.scores import assignment_scores

    scores = assignment_scores(course, assignment)
    rows = [assignment, f"  {'student':<22}{'score':>8}  per cell"]
    for student, s in sorted(scores.items()):
        cells = "  ".join(f"{name}={value:g}" for name, value in s.cells.items())
        detail = f"not graded: {s.not_graded}" if s.not_graded else cells
        rows.append(f"  {student:<22}{s.score:>5g}/{s.max_score:<3g} {detail}")
    return "\n".join(rows)


def cmd_release(course: Course, args: argparse.Namespace) -> int:
    for assignment in assignments_or_all(course, args.assignments):
        nbgrader_commands.release(course, assignment)
        print(f"released {assignment} -> {course.root / 'release' / assignment}")
    return 0


def cmd_autograde(course: Course, args: argparse.Namespace) -> int:
    require_isolation(args.accept_weak_isolation)
    if not args.scheduler:
        spawn.start_fork_server()  # its imports overlap the ones below
    from gradelab.autograde import autograde

    run = autograde(
        course,
        args.assignment,
        args.student,
        force=args.force,
        weak=args.accept_weak_isolation,
        workers=args.workers,
        scheduler=args.scheduler,
    )
    print(
        f"graded {len(run.graded) - len(run.failed)}, already graded {len(run.already_graded)}, "
        f"not gradable {len(run.refused)}, failed {len(run.failed)}"
    )
    for student, reason in run.refused.items():
        print(f"  {student}: {reason}")
    for student, error in run.failed.items():
        print(f"  {student}: grading failed ({error}); it is graded again on the next run")
    print(score_table(course, args.assignment))
    return 1 if run.failed else 0


def cmd_feedback(course: Course, args: argparse.Namespace) -> int:
    from gradelab.feedback import write_feedback

    write_feedback(course, args.assignment)
    print(f"feedback written to {course.root / 'feedback'}")
    return 0


def export_grades(course: Course, target: Path) -> None:
    """nbgrader's CSV of the gradebook, and Gradescope's results.json per submission."""
    from gradelab.gradescope import export_gradescope

    nbgrader_commands.export(course, target)
    print(f"grades exported to {target}")
    for assignment in course.assignments():
        folder = course.root / "gradebook" / "gradescope" / assignment
        written = export_gradescope(course, assignment, folder)
        if written:
            print(f"Gradescope results.json for {len(written)} submissions in {folder}")


def cmd_export(course: Course, args: argparse.Namespace) -> int:
    export_grades(course, (course.root / args.to).resolve())
    return 0


def cmd_report(course: Course, args: argparse.Namespace) -> int:
    from gradelab.report import write_report

    print(f"report written to {write_report(course, args.assignment)}")
    return 0


def report_verdicts(assignment: str, verdicts: list[Verdict]) -> bool:
    from gradelab.selftest import verdict_table

    print(verdict_table(assignment, verdicts))
    return all(v.ok for v in verdicts)


def cmd_selftest(course: Course, args: argparse.Namespace) -> int:
    from gradelab.selftest import selftest

    require_isolation(False)
    results = [
        report_verdicts(a, selftest(course, a))
        for a in assignments_or_all(course, args.assignments)
    ]
    return 0 if all(results) else 1


def cmd_demo(course: Course, args: argparse.Namespace) -> int:
    """The whole course on sample submissions, in this course folder's own gradebook."""
    from gradelab.feedback import write_feedback
    from gradelab.report import write_report
    from gradelab.selftest import grade_samples

    require_isolation(False)
    ok = True
    for assignment in course.assignments():
        print(f"== {assignment}: release, sample submissions, autograde")
        ok &= report_verdicts(assignment, grade_samples(course, assignment))
        write_feedback(course, assignment)
        print(f"report: {write_report(course, assignment)}")
    export_grades(course, course.root / "gradebook" / "grades.csv")
    print(f"feedback in {course.root / 'feedback'}")
    print("demo finished: every score as expected" if ok else "demo finished with MISMATCHES")
    return 0 if ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradelab",
        description="Hardened autograding on nbgrader: student code runs in a sandbox, "
        "hidden pytest suites judge what it returns.",
    )
    parser.add_argument("--course", default=".", help="course folder (default: current)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {EXAMPLES[name]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(handler=handler)
        return sub

    release = command("release", cmd_release, "generate student notebooks in release/")
    release.add_argument("assignments", nargs="*", help="assignments (default: all)")

    autograde = command("autograde", cmd_autograde, "grade submitted/ in the sandbox")
    autograde.add_argument("assignment")
    autograde.add_argument("--student", help="grade only this student")
    autograde.add_argument("--force", action="store_true", help="regrade graded submissions")
    autograde.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"submissions graded at once (default: one per core, {DEFAULT_WORKERS})",
    )
    autograde.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="grade on this Dask distributed scheduler's workers instead of local processes",
    )
    autograde.add_argument(
        "--accept-weak-isolation",
        action="store_true",
        help="where namespaces are unavailable, grade with rlimits only (noted on each score)",
    )

    feedback = command("feedback", cmd_feedback, "write feedback HTML into feedback/")
    feedback.add_argument("assignment")

    report = command("report", cmd_report, "write an HTML report on an assignment's grading")
    report.add_argument("assignment")

    export = command("export", cmd_export, "export the gradebook as CSV and Gradescope JSON")
    export.add_argument("--to", default="gradebook/grades.csv", help="CSV file to write")

    test = command("selftest", cmd_selftest, "check an assignment's grading on known answers")
    test.add_argument("assignments", nargs="*", help="assignments (default: all)")

    command("demo", cmd_demo, "run the demo course end to end on sample submissions")
    add_check_expr_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        course = None if args.command in COURSE_FREE else Course.load(args.course)
        return args.handler(course, args)
    except (FileNotFoundError, ValueError, IsolationUnavailable) as error:
        print(f"gradelab: {error}", file=sys.stderr)
        return 2
    except nbgrader_commands.NbgraderFailed as error:
        print(f"gradelab: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "gradelab: stopped. What was graded is recorded; run the same command again to "
            "grade the rest.",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
