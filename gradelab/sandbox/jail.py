"""The sandbox process: confine itself, run a notebook's code cells, answer calls.

Forked by ``gradelab.sandbox.forkserver`` in fresh namespaces, still as root there.
It speaks JSON lines on stdin/stdout (see ``wire``). Everything here runs next to student
code and is therefore untrusted: it only produces data, and the grader judges that data.

Protocol, in order:
    <- {"visible": [...], "assignment": "...", "limits": {...}, "confine": true, "uid": .., ...}
    -> {"booted": true}
    <- {"cells": [{"name": "...", "source": "..."}], "outputs": false}
    -> {"cells": [{"name": "...", "error": null | {...}}]}
       with "outputs": true (nbgrader's way, ``cell_outputs``), each cell also has
       "outputs": [["stdout" | "stderr" | "result", "text"] | ["error", "type", "message"]]
    <- {"call": "name", "args": [...], "kwargs": {...}}   -> {"value": ...} | {"error": {...}}
       (with "without": ["f"], the names are gone from the namespace during the call)
    <- {"get": "name"}                                      -> {"value": ...} | {"error": {...}}
    <- {"quit": true}
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from typing import Any

from IPython.core.inputtransformer2 import TransformerManager

from gradelab.sandbox import cell_outputs, confinement, wire

CELL_PREFIX = "<cell "
STDOUT_CAP = 20_000
NAME_CHARS = 100
KINDS = 20  # an exception's classes, its own first, as far as this


class CappedText(io.TextIOBase):
    """A text stream that keeps the first characters written and counts the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.kept: list[str] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.cap - self.size
        if room > 0:
            self.kept.append(str(text)[:room])
        self.size += len(text)
        return len(text)


class Shell:
    """Stands in for IPython's ``get_ipython()``: magics and shell commands do nothing."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def run_line_magic(self, name: str, line: str, *args: Any) -> None:
        self.skipped.append(f"%{name}")

    def run_cell_magic(self, name: str, line: str, cell: str) -> None:
        self.skipped.append(f"%%{name}")

    def system(self, command: str) -> None:
        self.skipped.append("!" + command.split(" ", 1)[0])

    getoutput = system


def describe_exception(error: BaseException) -> dict[str, Any]:
    """Name the exception and where in the student's cells it was raised; no message text."""
    where: dict[str, Any] = {"cell": None, "line": None}
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith(CELL_PREFIX):
            where = {"cell": frame.filename[len(CELL_PREFIX) : -1], "line": frame.lineno}
    kinds = [kind.__name__[:NAME_CHARS] for kind in type(error).__mro__[:KINDS]]
    return {"type": type(error).__name__[:NAME_CHARS], "kinds": kinds, **where}


class Jail:
    def __init__(self, requests: io.BufferedReader, responses: int) -> None:
        self.pid = os.getpid()
        self.requests = requests
        self.responses = responses
        self.namespace: dict[str, Any] = {"__name__": "__main__"}
        self.shell = Shell()
        self.namespace["get_ipython"] = lambda: self.shell

    def receive(self) -> dict[str, Any]:
        line = self.requests.readline()
        if not line:
            raise SystemExit(0)
        return wire.loads(line)

    def send(self, message: dict[str, Any]) -> None:
        if os.getpid() != self.pid:
            os._exit(0)  # a process the submission forked never speaks for it
        try:
            data = wire.dumps(message)
        except (ValueError, TypeError, RecursionError) as error:
            data = wire.dumps({"error": {"type": "WireError", "detail": str(error)[:200]}})
        view = memoryview(data)
        while view:
            view = view[os.write(self.responses, view) :]

    def run_cells(self, cells: list[dict[str, str]], outputs: bool = False) -> list[dict[str, Any]]:
        """Run the cells in order; with ``outputs``, keep what each shows (``cell_outputs``)."""
        transformer = TransformerManager()
        budget = cell_outputs.Budget()
        reports = []
        for cell in cells:
            name = str(cell["name"])
            report: dict[str, Any] = {"name": name, "error": None}
            shown: list[list[str]] = []
            try:
                source = transformer.transform_cell(cell["source"])
                if outputs:
                    cell_outputs.run_cell(source, name, self.namespace, shown, budget)
                else:
                    exec(compile(source, f"<cell {name}>", "exec"), self.namespace)
            except BaseException as error:  # noqa: BLE001 - student code may raise anything
                report["error"] = describe_exception(error)
                shown.append(cell_outputs.error_output(error, budget))
            if outputs:
                report["outputs"] = shown
            reports.append(report)
        return reports

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        name = str(request.get("call") or request.get("get"))
        if name not in self.namespace:
            return {"error": {"type": "Missing", "name": name}}
        target = self.namespace[name]
        try:
            if "get" in request:
                return {"value": wire.encode(target)}
            args = wire.decode(request.get("args", []))
            kwargs = wire.decode(request.get("kwargs", {"__dict__": {}}))
            names = [str(name) for name in request.get("without", [])]
            hidden = {name: self.namespace.pop(name) for name in names if name in self.namespace}
            try:
                return {"value": wire.encode(target(*args, **kwargs))}
            finally:
                self.namespace.update(hidden)
        except wire.WireError as error:
            return {"error": {"type": "WireError", "detail": str(error)[:200]}}
        except BaseException as error:  # noqa: BLE001 - student code may raise anything
            return {"error": describe_exception(error)}

    def serve(self) -> None:
        request = self.receive()
        self.send({"cells": self.run_cells(request["cells"], bool(request.get("outputs")))})
        while True:
            request = self.receive()
            if request.get("quit"):
                return
            self.send(self.answer(request))


def main(after_privileges_dropped: Callable[[], None] | None = None) -> None:
    """Confine this process as ``settings`` (the first line on stdin) say, then serve."""
    requests = os.fdopen(os.dup(0), "rb")
    responses = os.dup(1)
    settings = wire.loads(requests.readline())
    assignment = settings["assignment"]
    if settings["confine"]:
        home = "/tmp"
        workdir = confinement.enter_empty_root(settings["visible"], assignment, settings["tmp_mb"])
    else:
        home = workdir = settings["workdir"]
        if assignment:  # a copy of the released files, since nothing here is read-only
            workdir = shutil.copytree(assignment, os.path.join(home, os.path.basename(assignment)))
    os.chdir(workdir)
    sys.path.insert(0, workdir)  # the assignment's public modules, as in the notebook
    os.environ["HOME"] = os.environ["TMPDIR"] = home
    tempfile.tempdir = None
    confinement.set_limits({**settings["limits"], "processes": settings["nproc"]})
    if settings["confine"]:
        confinement.drop_privileges(settings["uid"], settings["gid"])
    if after_privileges_dropped is not None:
        after_privileges_dropped()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized file is an error, not a kill
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(quiet, fd)
    sys.stdout = CappedText(STDOUT_CAP)
    sys.stderr = CappedText(STDOUT_CAP)
    sys.stdin = io.StringIO("")
    jail = Jail(requests, responses)
    jail.send({"booted": True})
    jail.serve()
    os._exit(0)
