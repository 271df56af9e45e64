"""The sandbox, for real: namespaces, an unprivileged user, limits, and nothing left behind."""

import multiprocessing
import resource
import subprocess
import time
import types
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradelab.errors import IsolationUnavailable
from gradelab.grading.plugin import Student
from gradelab.sandbox import spawn
from gradelab.sandbox.limits import NOBODY, Isolation, Limits
from gradelab.sandbox.session import (
    WEAK_ISOLATION_NOTE,
    Session,
    StudentMissing,
    StudentRaised,
    SubmissionError,
    SubmissionStopped,
)

REPO = Path(__file__).resolve().parents[1]


def run(cells, limits=None, isolation=None, weak=False):
    """Start a sandbox on the given cells; return the live session (caller closes it)."""
    session = Session(isolation or Isolation.for_assignment(None), limits or Limits(), weak)
    session.start(list(cells.items()))
    return session


def test_student_code_returns_data_from_its_own_functions():
    with run({"f": "import numpy as np\ndef double(x):\n    return 2 * np.asarray(x)"}) as s:
        assert np.array_equal(s.call("double", np.arange(3)), [0, 2, 4])
        with pytest.raises(StudentMissing):
            s.call("triple", 1)


def test_secrets_of_the_course_and_the_machine_are_out_of_sight(tmp_path):
    host_secret = tmp_path / "host-secret.txt"
    host_secret.write_text("secret")
    secrets = [str(REPO / p) for p in ("solutions", "autograder", "source", "gradebook")]
    probe = f"""
import os
seen = {{}}
for path in {secrets!r} + ["/root"]:
    seen[path] = sorted(os.listdir(path)) if os.path.isdir(path) else None
seen["course"] = sorted(os.listdir({str(REPO)!r}))
seen["host tmp file"] = os.path.exists({str(host_secret)!r})
with open("/tmp/written-in-sandbox", "w") as handle:
    handle.write("x")
"""
    with run({"probe": probe}) as s:
        seen = s.get("seen")
        assert s.cells[0].error is None
    for part in ("solutions", "autograder", "source", "gradebook"):
        assert seen[str(REPO / part)] is None
    assert "solutions" not in seen["course"] and "nbgrader_config.py" not in seen["course"]
    assert set(seen["/root"] or []) <= {".pyenv"}
    assert seen["host tmp file"] is False
    assert not Path("/tmp/written-in-sandbox").exists()


def test_student_code_runs_as_nobody_without_network_or_a_view_of_other_processes():
    probe = """
import os, socket
uid = os.getuid()
pids = [p for p in os.listdir("/proc") if p.isdigit()]
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
    network = "open"
except OSError as error:
    network = type(error).__name__
"""
    with run({"probe": probe}) as s:
        assert s.get("uid") == NOBODY
        assert len(s.get("pids")) <= 3
        assert s.get("network") != "open"


def test_an_endless_loop_costs_the_wall_limit_once_and_stops_the_submission():
    with run(
        {"f": "def spin():\n    while True:\n        pass"},
        Limits(wall_seconds=1.5, call_seconds=5),
    ) as s:
        started = time.monotonic()
        with pytest.raises(SubmissionStopped, match="time limit"):
            s.call("spin")
        assert time.monotonic() - started < 5
        with pytest.raises(SubmissionStopped):
            s.call("spin")


def test_sleeping_is_stopped_by_the_wall_clock_not_the_cpu_limit():
    nap = "import time\ndef nap():\n    time.sleep(60)"
    with run({"f": nap}, Limits(wall_seconds=1, call_seconds=5)) as s:
        stopped = pytest.raises(SubmissionStopped, match="time limit")
        with stopped:
            s.call("nap")


def test_memory_beyond_the_limit_raises_memory_error_in_the_submission():
    cells = {"f": "def hog():\n    return bytearray(3 * 1024**3)"}
    with run(cells, Limits(memory_mb=1024)) as s, pytest.raises(StudentRaised) as raised:
        s.call("hog")
    assert raised.value.type == "MemoryError" and raised.value.cell == "f"


def test_exiting_the_process_is_reported_not_crashing_the_grader():
    leave = "import os\ndef leave():\n    os._exit(3)"
    with run({"f": leave}) as s, pytest.raises(SubmissionError, match="exit status 3"):
        s.call("leave")


def test_a_function_that_loops_fails_alone_and_the_rest_is_still_graded():
    cells = {"f": "def spin():\n    while True:\n        pass\ndef double(x):\n    return 2 * x"}
    with run(cells, Limits(wall_seconds=10, call_seconds=0.5)) as s:
        started = time.monotonic()
        with pytest.raises(SubmissionError, match="did not finish within 0.5 s"):
            s.call("spin")
        with pytest.raises(SubmissionError, match="not called again"):
            s.call("spin")
        assert s.call("double", 21) == 42
        assert time.monotonic() - started < 3


@pytest.mark.serial
def test_a_detached_grandchild_does_not_outlive_the_submission(sandbox_processes):
    detach = """
import os, time
def detach():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(300)
        os._exit(0)
    return "forked"
"""
    before = set(sandbox_processes())
    with run({"f": detach}) as s:
        assert s.call("detach") == "forked"
        assert len(set(sandbox_processes()) - before) >= 2
    deadline = time.monotonic() + 5
    while set(sandbox_processes()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(sandbox_processes()) - before == set()


def test_errors_in_cells_name_the_cell_and_line_but_not_the_message():
    with run({"ok": "x = 1", "bad": "y = 2\nraise ValueError('secret ' * 3)"}) as s:
        reports = {c.name: c.error for c in s.cells}
    assert reports["ok"] is None
    assert reports["bad"] == {"type": "ValueError", "cell": "bad", "line": 2}


def test_without_namespaces_grading_stops_unless_weak_isolation_is_accepted():
    broken = Isolation(visible=(), unshare_command="/nonexistent/unshare")
    with pytest.raises(IsolationUnavailable, match="--accept-weak-isolation"):
        run({"f": "x = 1"}, isolation=broken)
    with run({"f": "import os\nx = os.getcwd()"}, isolation=broken, weak=True) as s:
        assert "gradelab-sandbox-" in s.get("x")
        assert s.notes == [WEAK_ISOLATION_NOTE]


def test_a_call_may_take_fifty_times_the_reference_and_a_loop_about_a_second():
    reference = types.ModuleType("reference")
    exec("import time\ndef work(x):\n    time.sleep(0.04)\n    return x", reference.__dict__)
    cells = {
        "f": "import time\ndef work(x):\n    time.sleep(1.5)\n    return x\n"
        "def spin(x):\n    while True:\n        pass"
    }
    with run(cells, Limits(call_seconds=1.0, call_factor=50)) as s:
        student = Student(s, reference)
        assert student.work(3) == 3
        started = time.monotonic()
        with pytest.raises(SubmissionError, match="did not finish within 1 s"):
            student.spin(1)
        assert time.monotonic() - started < 1.8


def start_a_sleeping_submission(started) -> None:
    """In a forked grading process: a submission whose call sleeps for ten minutes."""
    limits = Limits(wall_seconds=900, call_seconds=900, cpu_seconds=900)
    session = run({"nap": "import time\ndef nap():\n    time.sleep(600)"}, limits)
    started.set()
    session.call("nap")


@pytest.mark.serial
def test_a_sandbox_ends_with_the_grading_process_that_asked_for_it(sandbox_processes):
    spawn.start_fork_server()  # shared with the forked grading process, as workers share it
    before = sandbox_processes()
    context = multiprocessing.get_context("fork")
    started = context.Event()
    grader = context.Process(target=start_a_sleeping_submission, args=(started,))
    grader.start()
    assert started.wait(60), "the sandbox did not start"
    time.sleep(0.3)  # the call is under way: the sandbox sleeps in student code
    assert sandbox_processes() - before
    grader.kill()  # the worker dies; the fork server it used lives on
    grader.join()
    deadline = time.monotonic() + 5
    while sandbox_processes() - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox_processes() - before == set()


def process_at(pid: int) -> subprocess.Popen | None:
    """A new process, the leader of its own session, given ``pid`` (root sets the kernel's
    last PID; another process may take it first: then None)."""
    Path("/proc/sys/kernel/ns_last_pid").write_text(str(pid - 1))
    process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    if process.pid == pid:
        return process
    process.kill()
    process.wait()
    return None


@pytest.mark.serial
def test_killing_a_sandbox_that_has_ended_never_kills_the_process_now_at_its_pid():
    """The grader learns of a sandbox's end only when it reads its status; by then the PID
    may be another process's, and that process must live."""
    for _ in range(20):
        sandbox = spawn.fork_sandbox(confine=True, memory_mb=256, processes=16)
        sandbox.stdin.close()  # the sandbox reads the end of its input and ends
        deadline = time.monotonic() + 10
        while Path(f"/proc/{sandbox.pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not Path(f"/proc/{sandbox.pid}").exists(), "the sandbox did not end"
        bystander = process_at(sandbox.pid)
        if bystander is None:
            sandbox.close()
            continue
        try:
            assert sandbox.returncode is None  # its status is not read: it may be running
            sandbox.kill()
            time.sleep(0.2)
            assert bystander.poll() is None, "the process at the sandbox's old PID was killed"
        finally:
            bystander.kill()
            bystander.wait()
            sandbox.close()
        return
    pytest.fail("no process could be started at a sandbox's old PID in 20 tries")


MEMORY_HOG = """
import os, time
def hogs(children, megabytes):
    held, release = os.pipe()  # every child holds its memory until all have forked
    pids = []
    for _ in range(children):
        pid = os.fork()
        if pid == 0:
            os.close(release)
            block = bytearray(megabytes * 1024 * 1024)
            for i in range(0, len(block), 4096):
                block[i] = 1
            os.read(held, 1)
            os._exit(0)
        pids.append(pid)
    time.sleep(2)
    os.close(release)
    return [os.waitpid(pid, 0)[1] for pid in pids]
"""


@settings(max_examples=4, deadline=None, derandomize=True)
@given(st.integers(4, 6), st.integers(160, 220))
def test_the_memory_limit_holds_for_all_the_submissions_processes_together(children, megabytes):
    """Each child alone is well under the limit; together they are over it."""
    limits = Limits(memory_mb=512, processes=32)
    assert children * megabytes > limits.memory_mb > megabytes
    with run({"f": MEMORY_HOG}, limits) as s:
        statuses = s.call_within(20, "hogs", children, megabytes)
    assert any(status != 0 for status in statuses), "every child got its memory"


def test_the_process_limit_holds_for_the_whole_submission():
    forks = """
import os, time
def forks(count):
    made = 0
    for _ in range(count):
        try:
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
            made += 1
        except OSError:
            break
    return made
"""
    with run({"f": forks}, Limits(processes=12)) as s:
        assert s.call_within(10, "forks", 40) < 12


SURVEY = """
import os
def survey():
    seen, writable = [], []
    for top in sorted(os.listdir("/")):
        if top in ("proc", "sys"):
            continue
        for folder, folders, files in os.walk("/" + top):
            seen.extend(os.path.join(folder, name) for name in files[:3])
            probe = os.path.join(folder, ".probe")
            try:
                with open(probe, "w"):
                    pass
                os.unlink(probe)
                writable.append(folder)
            except OSError:
                pass
            if len(seen) > 200000:
                return seen, writable
    return sorted(os.listdir("/")), writable
"""


def test_the_sandbox_sees_only_its_allow_list_and_writes_only_its_tmp(tmp_path):
    other_copy = tmp_path / "another-course-copy"
    (other_copy / "solutions").mkdir(parents=True)
    (other_copy / "solutions" / "secret.py").write_text("ANSWER = 42")
    released = REPO / "source" / "gradients"
    isolation = Isolation.for_assignment(released)
    with run({"f": SURVEY}, Limits(wall_seconds=60), isolation) as s:
        top, writable = s.call_within(60, "survey")
    allowed_tops = {p.split("/")[1] for p in [*isolation.visible, isolation.assignment]}
    assert set(top) <= allowed_tops | {"dev", "proc", "tmp"}, top
    assert {w for w in writable if not w.startswith("/tmp")} <= {str(released)}, writable
    system = ("/run", "/var", "/dev", "/usr", "/etc")
    assert not any(w.startswith(system) for w in writable if w != str(released)), writable


def test_folders_under_the_hosts_tmp_stay_visible_under_the_sandboxs_own_tmp(tmp_path):
    """A course or a Python environment cloned under /tmp (as CI may) is still importable."""
    library = tmp_path / "venv-like" / "lib"
    library.mkdir(parents=True)
    (library / "helper_under_tmp.py").write_text("VALUE = 42\n")
    isolation = Isolation.for_assignment(None, (str(library),))
    code = f"import sys\nsys.path.append({str(library)!r})\n"
    code += "import helper_under_tmp\nx = helper_under_tmp.VALUE"
    with run({"f": code}, isolation=isolation) as s:
        assert s.cells[0].error is None and s.get("x") == 42


def test_a_sandbox_that_answers_without_reading_cannot_make_the_grader_wait():
    """A thread forges replies while the main thread never reads again: the grader's
    writes fill the pipe. Every write has a deadline within the submission's budget."""
    stall = """
import gc, os, threading, time
def f(x):
    jail = next(o for o in gc.get_objects() if type(o).__name__ == "Jail")
    def answer():
        while True:
            os.write(jail.responses, b'{"value": null}\\n')
            time.sleep(0.001)
    threading.Thread(target=answer, daemon=True).start()
    time.sleep(3600)
"""
    started = time.monotonic()
    with run({"f": stall}, Limits(wall_seconds=4, call_seconds=4)) as s:  # noqa: SIM117
        with pytest.raises(SubmissionError):
            for _ in range(200):
                s.call("f", np.zeros(100_000))
    assert time.monotonic() - started < 15


def test_replies_too_big_or_with_too_many_parts_are_refused_within_the_budget():
    flood = """
def many():
    return [[] for _ in range(3_000_000)]
def huge():
    return "x" * (20 * 1024 * 1024)
"""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with run({"f": flood}, Limits(wall_seconds=20, call_seconds=15, memory_mb=2048)) as s:
        with pytest.raises(SubmissionError, match="cannot be graded|more than"):
            s.call("many")
        with pytest.raises(SubmissionError):
            s.call("huge")
    assert time.monotonic() - started < 20
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 600


def test_a_forged_cell_report_stops_the_submission_for_good():
    forged = """
import gc, os
jail = next(o for o in gc.get_objects() if type(o).__name__ == "Jail")
os.write(jail.responses, b'{"cells": 0}\\n')
def f():
    return 1
"""
    session = Session(Isolation.for_assignment(None), Limits(), False)
    with session, pytest.raises(SubmissionStopped, match="cannot read"):
        session.start([("f", forged)])
    with session, pytest.raises(SubmissionStopped):
        session.call("f")


def test_the_riskiest_system_calls_fail_in_the_sandbox_and_threads_still_work():
    probe = """
import ctypes, os, threading
libc = ctypes.CDLL(None, use_errno=True)
def probe():
    results = {}
    for name, flags in (("user", 0x10000000), ("mount", 0x20000), ("net", 0x40000000)):
        results[name] = (libc.unshare(flags), ctypes.get_errno())
    results["mount_call"] = (libc.mount(b"none", b"/tmp", b"tmpfs", 0, None), ctypes.get_errno())
    box = []
    worker = threading.Thread(target=lambda: box.append(1))
    worker.start()
    worker.join()
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    return results, box, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
"""
    with run({"f": probe}) as s:
        results, box, child = s.call("probe")
    assert all(tuple(result) == (-1, 1) for result in results.values()), results  # EPERM
    assert box == [1] and child == 7
