"""How every ops command reports: a step's heading on stderr, a refusal (exit 2, nothing
changed) or a failure (exit 1), each one line naming what and where."""

from __future__ import annotations

import argparse
import subprocess
import sys


class Refused(Exception):
    """A change that must not happen, found before anything changed; the message says why."""


class Failed(Exception):
    """A step that went wrong; the message says where."""


def parser(command: str, doc: str) -> argparse.ArgumentParser:
    """A command's arguments, its --help led by the first paragraph of its module's docstring."""
    return argparse.ArgumentParser(prog=f"python -m ops {command}", description=doc.split("\n\n", maxsplit=1)[0])


def stage_option(arguments: argparse.ArgumentParser) -> None:
    """--stage, the same for every command: with none, project.yml's default stage, so that
    production is reached only by naming it (ops.project.Project.stage_named)."""
    arguments.add_argument(
        "--stage",
        help="a stage name, or a role of project.yml's stages: qa, production, default (the default)",
    )


def say(text: str) -> None:
    print(f"\n== {text}", file=sys.stderr, flush=True)


def run(command, argv: list[str]) -> int:
    """Runs one command's `main`, turning its refusals and failures into exit statuses."""
    try:
        return command(argv) or 0
    except Refused as refusal:
        print(f"refused, nothing changed: {refusal}", file=sys.stderr)
        return 2
    except (Failed, FileNotFoundError) as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as failure:
        print(f"error: {' '.join(map(str, failure.cmd))} exited with {failure.returncode}", file=sys.stderr)
        return 1
    except Exception as failure:
        # AWS's own refusals (no credentials, access denied, a throttle) are answers to read,
        # not crashes; botocore's are told by their module, so that `value` needs no boto3.
        if type(failure).__module__.startswith("botocore"):
            print(f"error: AWS: {failure}", file=sys.stderr)
            return 1
        raise
