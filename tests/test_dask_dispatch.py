"""Grading on a real Dask distributed scheduler with worker processes started here."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from distributed import Client

from gradelab import nbgrader_commands
from gradelab.scores import assignment_scores
from gradelab.selftest import Verdict, scratch_course
from gradelab.selftest.samples import place_samples

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler():
    """A Dask scheduler and two single-threaded worker processes on localhost."""
    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", port,
             "--no-dashboard"], **quiet,
        )
    ]  # fmt: skip
    try:
        processes.append(
            subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nworkers", "2", "--nthreads", "1",
                 "--no-dashboard", "--host", "127.0.0.1"], **quiet,
            )
        )  # fmt: skip
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.slow
def test_a_dask_cluster_grades_like_the_local_pool(course, scheduler):
    with scratch_course(course) as scratch:
        nbgrader_commands.release(scratch, "mse_gradient")
        listed = place_samples(scratch, "mse_gradient")
        grading = subprocess.run(
            [str(BIN / "gradelab"), "autograde", "mse_gradient", "--scheduler", scheduler],
            cwd=scratch.root,
            env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert grading.returncode == 0, grading.stdout + grading.stderr
        assert f"graded {len(listed)}" in grading.stdout
        scores = assignment_scores(scratch, "mse_gradient")
    verdicts = [Verdict(sample, scores.get(sample.student)) for sample in listed]
    assert [v.sample.student for v in verdicts if not v.ok] == []
