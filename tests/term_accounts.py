"""The simulated term's students on real Unix accounts, named ``glt-...``: each one acts in a
child process that has become their account (their uid and gid, no other group), so that
what they make in the exchange is theirs and what they cannot read stays unread."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

PREFIX = "glt-"


class AsStudentError(Exception):
    """What an action run as a student raised, by its type name and message."""


def add_account(name: str) -> Path:
    """A Unix account whose home only its owner may read (nbgrader keeps each submission's
    secret there); its home."""
    assert name.startswith(PREFIX), name
    remove_account(name)
    command = ["useradd", "--create-home", "-K", "HOME_MODE=0700", "--shell", "/bin/sh", name]
    subprocess.run(command, check=True, capture_output=True)
    return Path(pwd.getpwnam(name).pw_dir)


def remove_account(name: str) -> None:
    """Remove the account and its home, if it is there."""
    subprocess.run(["userdel", "--remove", name], capture_output=True)


def remove_leftover_accounts() -> None:
    """Accounts a killed run left behind."""
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(PREFIX):
            remove_account(entry.pw_name)


def as_student(name: str, action: Callable[[], Any]) -> Any:
    """Run ``action`` in a child process as the account ``name``; what it returns (plain
    data, passed back as JSON), or ``AsStudentError`` with what it raised."""
    account = pwd.getpwnam(name)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's side
        os.close(reader)
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            os.environ.update(HOME=account.pw_dir, USER=name, LOGNAME=name)
            os.chdir(account.pw_dir)
            os.umask(0o022)
            answer = {"value": action()}
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
            answer = {"error": f"{type(error).__name__}: {error}"}
        with os.fdopen(writer, "w") as out:
            out.write(json.dumps(answer))
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as into:
        text = into.read()
    os.waitpid(child, 0)
    answer = json.loads(text) if text else {"error": "the child ended without an answer"}
    if "error" in answer:
        raise AsStudentError(f"{name}: {answer['error']}")
    return answer["value"]
