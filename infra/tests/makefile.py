"""What the Makefile runs, read from make itself (`make -n`), so that tests hold its targets to
what they do rather than to how they are written."""

from __future__ import annotations

import re
import shlex
import subprocess

from conftest import ROOT

OPS = ("python3", "-m", "ops")


def recipes() -> dict[str, list[str]]:
    """Every target of the Makefile and its recipe's lines, as written."""
    found: dict[str, list[str]] = {}
    target = None
    for line in (ROOT / "Makefile").read_text().splitlines():
        header = re.match(r"^([a-z][\w-]*):", line)
        if header:
            target = header[1]
            found[target] = []
        elif line.startswith("\t") and target:
            found[target].append(line.strip())
    return found


def targets_passing(variable: str) -> list[str]:
    """The targets whose recipe passes on `$(variable)`."""
    return [target for target, lines in recipes().items() if any(f"$({variable})" in line for line in lines)]


def installed_by(recipe: list[str]) -> set[str]:
    """The kinds of tool a recipe installs with scripts/tools.sh."""
    kinds = set()
    for line in recipe:
        words = line.lstrip("@").split()
        if words[:1] == ["scripts/tools.sh"]:
            kinds |= set(words[1:])
    return kinds


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
