"""How every `python -m ops` command ends: a refusal, a failure or AWS's own error is one line
and an exit status, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from botocore.exceptions import ClientError, NoCredentialsError
from conftest import ROOT

from ops import project as projects
from ops.__main__ import COMMANDS
from ops.cli import Failed, Refused, run


def raising(error: Exception):
    def command(_argv):
        raise error

    return command


@pytest.mark.parametrize(
    ("error", "status", "line"),
    [
        (Refused("us-east-1: no release"), 2, "refused, nothing changed: us-east-1: no release"),
        (Failed("us-east-2 runs other code"), 1, "error: us-east-2 runs other code"),
        (NoCredentialsError(), 1, "error: AWS: Unable to locate credentials"),
        (
            ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject"),
            1,
            "error: AWS: An error occurred (AccessDenied)",
        ),
        (subprocess.CalledProcessError(3, ["sls", "deploy"]), 1, "error: sls deploy exited with 3"),
    ],
)
def test_an_ending_is_one_line_and_a_status(capsys, error, status, line):
    assert run(raising(error), []) == status
    assert capsys.readouterr().err.startswith(line)


def test_a_bug_is_not_hidden():
    with pytest.raises(KeyError):
        run(raising(KeyError("bug")), [])


def test_an_unknown_command_is_refused_with_the_list():
    result = subprocess.run(
        [sys.executable, "-m", "ops", "launch"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "commands:" in result.stderr
    assert "  package " in result.stderr


def ops(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, check=False)


def test_help_lists_every_command_with_a_line_each_and_exits_0():
    result = ops("-m", "ops", "--help")
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert listed == list(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_help(command):
    result = ops("-m", "ops", command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m ops {command}") or command in ("drain", "restore")


def test_value_answers_without_importing_the_aws_sdk():
    """The Makefile asks `value` for the regions before every loop over them."""
    result = ops("-X", "importtime", "-m", "ops", "value", "regions")
    assert result.returncode == 0
    assert result.stdout.split() == projects.load().regions
    assert "boto3" not in result.stderr


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["value", "stage.nowhere"], "error: project.yml names no stage for the role nowhere"),
        (["deploy", "--region", "mars-north-1"], "invalid choice: 'mars-north-1'"),
        (["rollback", "--stage"], "expected one argument"),
    ],
)
def test_bad_input_ends_in_one_line_never_a_traceback(argv, line):
    result = ops("-m", "ops", *argv)
    assert result.returncode in (1, 2)
    assert line in result.stderr
    assert "Traceback" not in result.stderr
