"""The rehearsal runs ops commands as a person would, and reads their refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ops.cli import Failed


def ops_command(project, *argv: str, log: Path | None = None) -> subprocess.CompletedProcess:
    """Runs `python -m ops ...` as a person would; with a log, its output goes there."""
    command = [sys.executable, "-m", "ops", *argv]
    if log is None:
        return subprocess.run(command, cwd=project.root, check=False)
    with log.open("a") as out:
        return subprocess.run(command, cwd=project.root, stdout=out, stderr=subprocess.STDOUT, check=False)


def expect_refusal(result, log: Path, needle: str, what: str) -> None:
    text = log.read_text()
    if result.returncode == 0:
        sys.stderr.write(text)
        raise Failed(f"{what} was not refused")
    refusals = [line for line in text.splitlines() if line.startswith("refused, nothing changed:")]
    if not any(needle in line for line in refusals):
        sys.stderr.write(text)
        raise Failed(f"the refusal of {what} does not say {needle!r}")
    print("\n".join(refusals))
