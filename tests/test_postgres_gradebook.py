"""The gradebook on a real PostgreSQL 15 server, with several graders writing at once."""

import html
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from exchange_student import ExchangeStudent, sample_text
from serving import serve_course, serving, status

from gradelab import nbgrader_commands
from gradelab.course import Course
from gradelab.scores import assignment_scores
from gradelab.selftest import Verdict, scratch_course
from gradelab.selftest.samples import place_samples, samples

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
BIN = Path(sys.executable).parent


def as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    """A private PostgreSQL 15 cluster on a free port, removed afterwards."""
    if not (POSTGRES_BIN / "initdb").exists():
        pytest.fail("PostgreSQL 15 is not installed: `make test` installs it (postgresql-15)")
    folder = Path(tempfile.mkdtemp(prefix="gradelab-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    as_postgres(str(POSTGRES_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    pg_ctl = str(POSTGRES_BIN / "pg_ctl")
    as_postgres(pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        as_postgres(str(POSTGRES_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "gradebook")
        yield f"postgresql://postgres@127.0.0.1:{port}/gradebook"
    finally:
        as_postgres(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_three_graders_at_once_fill_a_postgres_gradebook(course, postgres_url, monkeypatch):
    with scratch_course(course) as scratch:
        monkeypatch.setenv("GRADELAB_DB_URL", postgres_url)
        on_postgres = Course.load(scratch.root)
        assert on_postgres.db_url == postgres_url
        nbgrader_commands.release(on_postgres, "mse_gradient")
        listed = place_samples(on_postgres, "mse_gradient")
        grading = subprocess.run(
            [str(BIN / "gradelab"), "autograde", "mse_gradient", "--workers=3"],
            cwd=scratch.root,
            env={**os.environ, "GRADELAB_DB_URL": postgres_url},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert grading.returncode == 0, grading.stdout + grading.stderr
        scores = assignment_scores(on_postgres, "mse_gradient")
        assert not (scratch.root / "gradebook" / "gradebook.db").exists()
    verdicts = [Verdict(sample, scores.get(sample.student)) for sample in listed]
    assert [v.sample.student for v in verdicts if not v.ok] == []


@pytest.mark.slow
def test_serve_grades_and_releases_on_a_postgres_gradebook(
    course, postgres_url, monkeypatch, tmp_path
):
    with scratch_course(course) as scratch:
        monkeypatch.setenv("GRADELAB_DB_URL", postgres_url)
        on_postgres = Course.load(scratch.root)
        exchange = tmp_path / "exchange"
        serve_course(on_postgres, exchange, {}, ["gradients"])
        wrong = next(s for s in samples(on_postgres, "gradients") if s.cells and s.expected)
        with serving(on_postgres, tmp_path / "serve.log"):
            for name, sample in (("pat", samples(on_postgres, "gradients")[0]), ("sam", wrong)):
                person = ExchangeStudent(name, tmp_path / name, exchange, on_postgres.course_id)
                person.fetch("gradients")
                person.answer(
                    "gradients", "gradients", sample_text(on_postgres, "gradients", sample)
                )
                person.submit("gradients")
                page = person.wait_for_feedback("gradients", seconds=120)[0].read_text()
                page = html.unescape(re.sub(r"<[^>]+>", "", page))
                score = assignment_scores(on_postgres, "gradients")[name]
                assert f"Score: {score.score:g} / {score.max_score:g}" in page, name
            served = status(on_postgres)
        scores = assignment_scores(on_postgres, "gradients")
        assert scores["pat"].score == scores["pat"].max_score
        assert scores["sam"].score == wrong.expected < scores["sam"].max_score
        assert not (scratch.root / "gradebook" / "gradebook.db").exists()
    assert served["counts"] == {"gradients": {"released": 2}} and served["problems"] == []
