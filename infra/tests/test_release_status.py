"""scripts/release-status.sh, which tells how CodeDeploy ended a release, against recorded
answers of the AWS CLI (moto does not model CodeDeploy's Lambda deployments)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

FAKE_AWS = """#!{python}
import json, os, sys
call = " ".join(sys.argv[1:])
with open(os.environ["AWS_CALLS"], "a") as log:
    log.write(call + "\\n")
for needles, answer in json.loads(os.environ["AWS_ANSWERS"]):
    if all(needle in call for needle in needles):
        print(answer)
        sys.exit(0)
sys.exit("no recorded answer for: aws " + call)
"""

STACK_WITH_CODEDEPLOY = [
    (["list-stack-resources", "AWS::CodeDeploy::Application"], "hello-world-prod-App-1X2Y"),
    (
        ["list-stack-resources", "AWS::CodeDeploy::DeploymentGroup"],
        "hello-world-prod-HelloLambdaFunctionDeploymentGroup",
    ),
    (["deploy list-deployments", "--application-name hello-world-prod-App-1X2Y"], "d-LATEST123"),
]


def release_status(tmp_path, answers):
    fake = tmp_path / "bin" / "aws"
    fake.parent.mkdir()
    fake.write_text(FAKE_AWS.format(python=sys.executable))
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
        "AWS_ANSWERS": json.dumps(answers),
        "AWS_CALLS": str(tmp_path / "calls.log"),
    }
    return subprocess.run(
        ["scripts/release-status.sh", "--region", "us-east-2", "--stack", "hello-world-prod"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_finished_shift_is_reported_as_succeeded(tmp_path):
    result = release_status(tmp_path, [*STACK_WITH_CODEDEPLOY, (["get-deployment"], "Succeeded\t-\t-")])
    assert result.returncode == 0, result.stderr
    assert "release d-LATEST123 in us-east-2: Succeeded" in result.stdout
    assert "--region us-east-2" in (tmp_path / "calls.log").read_text()


def test_a_rolled_back_release_fails_and_says_why(tmp_path):
    answer = "Stopped\td-ROLLBACK456\tDeployment stopped: alarm HelloLiveErrorsAlarm went into ALARM"
    result = release_status(tmp_path, [*STACK_WITH_CODEDEPLOY, (["get-deployment"], answer)])
    assert result.returncode == 1
    assert "Stopped; CodeDeploy rolled the alias back (rollback d-ROLLBACK456)" in result.stderr
    assert "HelloLiveErrorsAlarm went into ALARM" in result.stderr


@pytest.mark.parametrize("status", ["InProgress", "Failed"])
def test_any_other_ending_fails(tmp_path, status):
    result = release_status(tmp_path, [*STACK_WITH_CODEDEPLOY, (["get-deployment"], f"{status}\t-\t-")])
    assert result.returncode == 1
    assert status in result.stderr


def test_a_stage_without_traffic_shifting_passes(tmp_path):
    result = release_status(tmp_path, [(["list-stack-resources"], "None")])
    assert result.returncode == 0
    assert "releases without CodeDeploy" in result.stdout
