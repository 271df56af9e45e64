"""``gradelab``: the instructor's front door. Run it in the course folder."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

# Grading runs a worker per core, each doing many small numpy computations: BLAS threads
# would only compete with the workers for the cores. Set before numpy is first imported.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from gradelab.autograde.summary import run_data, run_summary, scores_data  # noqa: E402
from gradelab.errors import CourseError, GradelabError  # noqa: E402
from gradelab.logs import context, level_of, set_up  # noqa: E402
from gradelab.text import printable  # noqa: E402

# Each command imports what it needs when it runs: nbgrader, pytest, sympy and matplotlib
# take seconds to import, and most commands need only some of them.
DEFAULT_WORKERS = os.cpu_count() or 1
INSTRUCTOR_EXTRA = (
    "gradelab's instructor commands need its instructor extras: pip install 'gradelab[instructor]'"
)


def load_course(args: argparse.Namespace):
    from gradelab.course import Course

    return Course.load(args.course)


def assignments_or_all(course, names: list[str]) -> list[str]:
    return [course.require_assignment(name) for name in names] or course.assignments()


def require_isolation(weak: bool) -> None:
    from gradelab.errors import IsolationUnavailable
    from gradelab.sandbox.limits import Isolation
    from gradelab.sandbox.session import namespaces_work

    reason = namespaces_work(Isolation.for_assignment(None).unshare_command)
    if reason is not None and not weak:
        raise IsolationUnavailable(
            f"cannot create the sandbox's namespaces ({reason}); nothing was graded. Run as "
            "root on Linux with util-linux, or pass --accept-weak-isolation."
        )


def score_table(course, assignment: str) -> str:
    from gradelab.feedback.question_titles import question_titles
    from gradelab.scores import assignment_scores

    scores = assignment_scores(course, assignment)
    titles = question_titles(course, assignment)
    rows = [assignment, f"  {'student':<22}{'score':>8}  per question"]
    for student, s in sorted(scores.items()):
        cells = "; ".join(
            f"{printable(titles.get(name, name), 40)}: "
            + ("awaiting grading" if name in s.awaiting else f"{value:g}")
            for name, value in s.cells.items()
        )
        if s.not_graded:
            cells = f"not graded: {printable(s.not_graded, 200)}"
        elif s.pending:
            cells = f"no score yet: {printable(s.pending, 200)}"
        got = "-" if s.pending else f"{s.score:g}"
        rows.append(f"  {printable(student, 22):<22}{got:>5}/{s.max_score:<3g} {cells}")
    return "\n".join(rows)


def cmd_release(args: argparse.Namespace) -> int:
    from gradelab import nbgrader_commands

    course = load_course(args)
    for assignment in assignments_or_all(course, args.assignments):
        nbgrader_commands.release(course, assignment)
        print(f"released {assignment} -> {course.release_folder(assignment)}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from gradelab.migrate.suite import migrate

    course = load_course(args)
    course.require_assignment(args.assignment)
    migration = migrate(course, args.assignment, force=args.force)
    for path in migration.written:
        print(f"wrote {path.relative_to(course.root)}")
    if migration.untranslated:
        print(f"{len(migration.untranslated)} statements of test cells to finish by hand:")
        for item in migration.untranslated:
            print(f"  {printable(str(item), 300)}")
    return 0


def cmd_autograde(args: argparse.Namespace) -> int:
    course = load_course(args)
    course.require_assignment(args.assignment)
    course.policy(args.assignment)  # its dates are read now, before anything is graded
    if args.dry_run:
        return autograde_command(args, course)
    from gradelab.serve.lock import running_service, service_lock

    with ExitStack() as stack:
        try:  # held for the whole run: no service, and no other autograde, meanwhile
            stack.enter_context(service_lock(course))
        except CourseError:
            raise CourseError(
                f"gradelab serve or another gradelab autograde runs for this course (process "
                f"{running_service(course)}) and records grades itself; wait for it to end, "
                "or stop it, to grade by hand"
            ) from None
        return autograde_command(args, course)


def autograde_command(args: argparse.Namespace, course) -> int:
    """``gradelab autograde``, once the course's lock is held (or for a dry run)."""
    from gradelab.sandbox import spawn

    require_isolation(args.accept_weak_isolation)
    if not args.scheduler:
        spawn.start_fork_server()  # its imports overlap the ones below
    from gradelab.autograde.run import autograde
    from gradelab.grading.hidden_suite import uses_hidden_suite
    from gradelab.grading.nbgrader_mode import NBGRADER_MODE_NOTE

    if args.dry_run:
        from gradelab.autograde.dry_run import preview_regrade
        from gradelab.autograde.score_changes import change_table

        if not args.force:
            raise CourseError("--dry-run shows what a regrade would change: add --force")
        run, changes = preview_regrade(
            course,
            args.assignment,
            args.student,
            weak=args.accept_weak_isolation,
            workers=args.workers,
            scheduler=args.scheduler,
        )
        data = run_data(run) | {"dry_run": True, "changes": [vars(c) for c in changes]}
        table = change_table(changes, len(run.graded) + len(run.refused))
        table += "\ndry run: nothing of the course was changed; run it again without --dry-run"
    else:
        run = autograde(
            course,
            args.assignment,
            args.student,
            force=args.force,
            weak=args.accept_weak_isolation,
            workers=args.workers,
            scheduler=args.scheduler,
        )
        data = run_data(run) | {"scores": scores_data(course, args.assignment)}
        table = "" if args.json else score_table(course, args.assignment)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print("\n".join(run_summary(run)))
        print(table)
        if not uses_hidden_suite(course, args.assignment):
            print(
                f"note: {args.assignment} has no hidden suite (autograder/{args.assignment}/); it "
                f"was {NBGRADER_MODE_NOTE}. See docs/migrating.md."
            )
    return 1 if run.failed else 0


def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from gradelab.sandbox import spawn
    from gradelab.serve.deployment import check_deployment

    log = logging.getLogger("gradelab.serve")
    if log.getEffectiveLevel() > logging.INFO and not args.quiet:
        log.setLevel(logging.INFO)  # its own lines; nbgrader's steps stay at the chosen level
    course = load_course(args)
    check_deployment(course)
    assignments = [course.require_assignment(name) for name in args.assignments]
    require_isolation(args.accept_weak_isolation)
    if not args.scheduler:
        spawn.start_fork_server()
    from gradelab.serve.service import Service

    service = Service(course, args.workers, args.scheduler, args.accept_weak_isolation, assignments)
    try:
        service.run()
    finally:
        log.info("gradelab serve stopped", extra=context(course=course.course_id))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from gradelab.serve.status import status_json, status_text

    course = load_course(args)
    print(status_json(course) if args.json else status_text(course))
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from gradelab.feedback.write import write_feedback

    course = load_course(args)
    write_feedback(course, course.require_assignment(args.assignment))
    print(f"feedback written to {course.folder('feedback')}")
    return 0


def check_all_graded(course, allow_ungraded: bool) -> None:
    """Refuse to export while answers await grading by hand, unless allowed; then warn."""
    from gradelab.manual_grades import ungraded_answers, ungraded_lines

    found = ungraded_answers(course, course.assignments())
    if not found:
        return
    listing = "\n".join(ungraded_lines(found))
    if not allow_ungraded:
        raise CourseError(
            f"{len(found)} answer(s) are awaiting grading by hand (assignment, student, cell):"
            f"\n{listing}\nGrade them in formgrader, or pass --allow-ungraded to export the "
            "scores as they are (an answer never graded counts 0)."
        )
    print(f"warning: exported with {len(found)} answer(s) awaiting grading:\n{listing}")


def cmd_export(args: argparse.Namespace) -> int:
    course = load_course(args)
    check_all_graded(course, args.allow_ungraded)
    if args.format != "nbgrader":
        from gradelab.exports.lms.export import DEFAULT_TARGETS, export_for_lms

        if not args.roster:
            raise CourseError(f"--format {args.format} needs --roster ROSTER.csv (docs/grades.md)")
        target = (course.root / (args.to or DEFAULT_TARGETS[args.format])).resolve()
        for line in export_for_lms(course, args.format, course.root / args.roster, target):
            print(line)
        return 0
    from gradelab.exports.grades import export_grades

    export_grades(course, (course.root / (args.to or "gradebook/grades.csv")).resolve())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from gradelab.report import write_report

    course = load_course(args)
    assignment = course.require_assignment(args.assignment)
    target = write_report(course, assignment)
    if args.json:
        from gradelab.report.as_data import report_data

        print(json.dumps(report_data(course, assignment), ensure_ascii=False, indent=1))
    else:
        print(f"report written to {target}")
    return 0


def cmd_similarity(args: argparse.Namespace) -> int:
    from gradelab.similarity.command import run_similarity

    return run_similarity(load_course(args), args)


def cmd_selftest(args: argparse.Namespace) -> int:
    from gradelab.quiz.validate import quiz_problems, quiz_variants
    from gradelab.selftest import selftest, verdict_table, verdicts_data

    course = load_course(args)
    require_isolation(False)
    ok, found = True, {}
    for assignment in assignments_or_all(course, args.assignments):
        verdicts = selftest(course, assignment)
        if args.json:
            problems = quiz_problems(course, assignment)
            variants_ok = not problems
            found[assignment] = {
                "submissions": verdicts_data(verdicts),
                "quiz_problems": [vars(p) for p in problems],
            }
        else:
            variants_ok, variants = quiz_variants(course, assignment)
            every = args.all_cells or args.verbose > 0
            print(verdict_table(assignment, verdicts, every) + variants, flush=True)
        ok &= all(v.ok for v in verdicts) and variants_ok
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
    return 0 if ok else 1


def cmd_key(args: argparse.Namespace) -> int:
    from gradelab.questions.draw import draw, key_text
    from gradelab.quiz.in_course import course_quiz

    course = load_course(args)
    quiz = course_quiz(course, course.require_assignment(args.quiz))
    if quiz is None:
        raise CourseError(f"{course.source_folder(args.quiz)}: no quiz.toml")
    key = {
        q.id: key_text(q, draw(q, course.course_id, args.quiz, args.student))
        for q in quiz.questions
    }
    if args.json:
        print(json.dumps(key, ensure_ascii=False, indent=1))
    else:
        width = max(len(name) for name in key)
        print("\n".join(f"{name:<{width}}  {answer}" for name, answer in key.items()))
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    from gradelab.course.variant_preview import variant_notebooks, write_variant_previews
    from gradelab.quiz.in_course import course_quiz
    from gradelab.quiz.preview import write_preview

    course = load_course(args)
    assignment = course.require_assignment(args.assignment)
    has_quiz = course_quiz(course, assignment) is not None
    if not has_quiz and not variant_notebooks(course, assignment):
        raise CourseError(
            f"{course.source_folder(assignment)}: nothing in {assignment} differs per student "
            "(no quiz.toml, and no answer cell sets STUDENT_ID): every student sees the same"
        )
    written = [write_preview(course, assignment, args.student)] if has_quiz else []
    written += write_variant_previews(course, assignment, args.student)
    for target in written:
        print(f"preview written to {target}")
    return 0


def cmd_mistake(args: argparse.Namespace) -> int:
    from gradelab.quiz.add_mistake import add_mistake

    course = load_course(args)
    quiz = course.require_assignment(args.quiz)
    fields = {"answer": args.answer, "feedback": args.feedback, "score": args.score}
    path = add_mistake(course, quiz, args.question, fields)
    print(
        f"added to {path}: {printable(args.answer, 200)} ({args.score:g} of the points)\n"
        f"next: gradelab autograde {quiz} --force --dry-run, to see whose score would change"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from gradelab.demo import run_demo

    course = load_course(args)
    require_isolation(False)
    return 0 if run_demo(course, Path(args.keep) if args.keep else None) else 1


def cmd_new(args: argparse.Namespace) -> int:
    from gradelab.course.scaffold import new_assignment

    course = load_course(args)
    for path in new_assignment(course, args.assignment):
        print(f"wrote {path.relative_to(course.root)}")
    print(
        f"next: gradelab release {args.assignment} && gradelab selftest {args.assignment}; "
        "then edit the files above (docs/authoring.md)"
    )
    return 0


def cmd_check_expr(args: argparse.Namespace) -> int:
    from gradelab.symbolic.command import run_check_expr

    return run_check_expr(args)


Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Command, str, str]] = {
    "release": (
        cmd_release,
        "generate student notebooks in release/",
        "gradelab release week1",
    ),
    "autograde": (
        cmd_autograde,
        "grade submitted/ in the sandbox",
        "gradelab autograde week1 --student alice",
    ),
    "migrate": (
        cmd_migrate,
        "write a hidden suite and a reference from an nbgrader assignment's test cells",
        "gradelab migrate ps1",
    ),
    "serve": (
        cmd_serve,
        "grade each submission as it arrives in nbgrader's exchange and release its feedback",
        "gradelab serve --workers 2",
    ),
    "status": (
        cmd_status,
        "show what gradelab serve is doing: queue, graded, failures, waiting times",
        "gradelab status --json",
    ),
    "feedback": (
        cmd_feedback,
        "write feedback HTML into feedback/",
        "gradelab feedback week1",
    ),
    "report": (
        cmd_report,
        "write an HTML report on an assignment's grading",
        "gradelab report week1",
    ),
    "similarity": (
        cmd_similarity,
        "compare the answer code of every pair of submissions; write an HTML report",
        "gradelab similarity week1 --threshold 50 --pairs 20",
    ),
    "export": (
        cmd_export,
        "export the gradebook as CSV and Gradescope JSON, or as a Canvas or Moodle grade import",
        "gradelab export --format canvas --roster roster.csv",
    ),
    "selftest": (
        cmd_selftest,
        "check an assignment's grading on known answers, in a scratch copy",
        "gradelab selftest week1",
    ),
    "demo": (
        cmd_demo,
        "run the course end to end on sample submissions, in a scratch copy",
        "gradelab demo --keep build/demo",
    ),
    "key": (
        cmd_key,
        "print a student's key of a quiz: each question id and its answer, as typed",
        "gradelab key quiz1 --student alice --json",
    ),
    "preview": (
        cmd_preview,
        "write one student's variant of a quiz (with the key and mistakes) or of an "
        "assignment's notebook (run as them) as an HTML page",
        "gradelab preview quiz1 --student alice",
    ),
    "mistake": (
        cmd_mistake,
        "add a wrong answer students give to a quiz question, as a named mistake",
        "gradelab mistake add quiz1 power_rule 'a*x^(k-1)' --feedback 'Times k.' --score 0.5",
    ),
    "new": (
        cmd_new,
        "start a new assignment from a working example (notebook, checks, reference, tests)",
        "gradelab new huber_gradient",
    ),
    "check-expr": (
        cmd_check_expr,
        "check a typed math answer against the expected expression (JSON output)",
        "gradelab check-expr '2x' --expected 'x+x' --vars x",
    ),
}


def add_grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"submissions graded at once (default: one per core, {DEFAULT_WORKERS})",
    )
    parser.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="grade on this Dask distributed scheduler's workers instead of local processes",
    )
    parser.add_argument(
        "--accept-weak-isolation",
        action="store_true",
        help="where namespaces are unavailable, grade with rlimits only (noted on each score)",
    )


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("gradelab")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradelab",
        description="Hardened autograding on nbgrader: student code runs in a sandbox, "
        "hidden pytest suites judge what it returns.",
    )
    parser.add_argument("--course", default=".", help="course folder (default: current)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bars and no log lines below ERROR; results still print",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="say more (-vv: debugging detail)"
    )
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        type=str.upper,
        help="the log level, instead of -q or -v",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    subs = {}
    for name, (handler, help_text, example) in COMMANDS.items():
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(handler=handler)
        subs[name] = sub

    subs["release"].add_argument("assignments", nargs="*", help="assignments (default: all)")
    autograde = subs["autograde"]
    autograde.add_argument("assignment")
    autograde.add_argument("--student", help="grade only this student")
    autograde.add_argument("--json", action="store_true", help="print what happened as JSON")
    autograde.add_argument("--force", action="store_true", help="regrade graded submissions")
    autograde.add_argument(
        "--dry-run",
        action="store_true",
        help="with --force: regrade in a scratch copy and list whose score would change; "
        "nothing of the course changes",
    )
    add_grading_options(autograde)
    subs["migrate"].add_argument("assignment")
    subs["migrate"].add_argument(
        "--force", action="store_true", help="replace autograder/ASSIGNMENT and its reference"
    )
    serve = subs["serve"]
    serve.add_argument("assignments", nargs="*", help="assignments (default: all released)")
    add_grading_options(serve)
    subs["status"].add_argument("--json", action="store_true", help="print it as JSON")
    subs["feedback"].add_argument("assignment")
    subs["report"].add_argument("assignment")
    subs["report"].add_argument(
        "--json", action="store_true", help="also print each question's figures as JSON"
    )
    subs["export"].add_argument(
        "--to", help="file to write (default: gradebook/grades.csv, or gradebook/FORMAT_grades.csv)"
    )
    subs["export"].add_argument(
        "--format",
        choices=["nbgrader", "canvas", "moodle"],
        default="nbgrader",
        help="nbgrader's CSV and Gradescope JSON (default), or an LMS's grade import file",
    )
    subs["export"].add_argument(
        "--roster", metavar="ROSTER.csv", help="each student's LMS ids (docs/grades.md)"
    )
    subs["export"].add_argument(
        "--allow-ungraded",
        action="store_true",
        help="export even while answers await grading by hand (they count as they score now)",
    )
    from gradelab.similarity.command import add_similarity_arguments

    add_similarity_arguments(subs["similarity"])
    subs["selftest"].add_argument("assignments", nargs="*", help="assignments (default: all)")
    subs["selftest"].add_argument(
        "--json", action="store_true", help="print each sample's verdict, cell by cell, as JSON"
    )
    subs["selftest"].add_argument(
        "--all",
        action="store_true",
        dest="all_cells",
        help="every sample's cells and tests, not only those of mismatches (also with -v)",
    )
    subs["demo"].add_argument(
        "--keep", metavar="DIR", help="make the scratch copy in DIR and leave it for a look"
    )
    subs["preview"].add_argument(
        "assignment", help="a quiz, or an assignment whose notebook sets STUDENT_ID"
    )
    subs["preview"].add_argument("--student", required=True, help="whose variant")
    mistake = subs["mistake"]
    mistake.add_argument("action", choices=["add"])
    mistake.add_argument("quiz", help="an assignment with a quiz.toml")
    mistake.add_argument("question", help="the question's id")
    mistake.add_argument(
        "answer", help="the wrong answer, in the quiz's grammar; parameters may be used"
    )
    mistake.add_argument("--feedback", required=True, help="what the student is told")
    mistake.add_argument(
        "--score", type=float, default=0.0, help="fraction of the points it earns (default 0)"
    )
    subs["new"].add_argument("assignment", help="the new assignment's name, e.g. huber_gradient")
    subs["key"].add_argument("quiz", help="an assignment with a quiz.toml")
    subs["key"].add_argument("--student", required=True, help="whose numbers")
    subs["key"].add_argument("--json", action="store_true", help="as JSON: {question id: answer}")
    from gradelab.symbolic.command import add_check_expr_arguments

    add_check_expr_arguments(subs["check-expr"])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    set_up(level_of(args.quiet, args.verbose, args.log_level))
    try:
        status = args.handler(args)
        sys.stdout.flush()  # inside the try: a closed pipe is met here, not at exit
        return status
    except BrokenPipeError:  # `gradelab status | head`: the reader has all it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit would fail again
        return 141
    except GradelabError as error:
        print(f"gradelab: {error}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        print("gradelab: stopped.", file=sys.stderr)
        return 130
    except ModuleNotFoundError as error:
        if error.name in (
            "nbgrader",
            "pytest",
            "tqdm",
            "distributed",
            "matplotlib",
            "copydetect",
            "tomlkit",
        ):
            print(f"gradelab: {INSTRUCTOR_EXTRA} (missing: {error.name})", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
