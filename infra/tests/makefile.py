"""What the Makefile runs, read from make itself (`make -n`), so that tests hold its targets to
what they do rather than to how they are written."""

from __future__ import annotations

import re
import shlex
import subprocess

from conftest import ROOT

OPS = ("python3", "-m", "ops")


def targets_passing(variable: str) -> list[str]:
    """The targets whose recipe passes on `$(variable)`."""
    text = (ROOT / "Makefile").read_text()
    found, target = [], None
    for line in text.splitlines():
        header = re.match(r"^([a-z][\w-]*):", line)
        if header:
            target = header[1]
        elif line.startswith("\t") and f"$({variable})" in line and target and target not in found:
            found.append(target)
    return found


def dry_run(target: str, **variables: str) -> list[str]:
    """The command lines `make TARGET VAR=value ...` would run, not run."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", target, *(f"{k}={v}" for k, v in variables.items())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def ops_commands(target: str, **variables: str) -> list[list[str]]:
    """The `python3 -m ops ...` commands of a target, as argument lists after `python3 -m ops`."""
    commands = []
    for line in dry_run(target, **variables):
        words = shlex.split(line)
        if tuple(words[:3]) == OPS:
            commands.append(words[3:])
    return commands
