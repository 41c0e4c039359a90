"""How a deploy reports CodeDeploy's ending of a release (ops.deploy.release_status), against
CodeDeploy's recorded answers (botocore's Stubber: moto does not model CodeDeploy's Lambda
deployments)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ops.cli import Failed
from ops.deploy import release_status

APPLICATION, GROUP, LATEST = "hello-App-1X2Y", "hello-DeploymentGroup", "d-LATEST123"


def codedeploy_answering(info: dict | None):
    client = boto3.client("codedeploy", region_name="us-east-2", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_response(
        "list_deployments",
        {"deployments": [LATEST] if info else []},
        {"applicationName": APPLICATION, "deploymentGroupName": GROUP},
    )
    if info:
        stub.add_response("get_deployment", {"deploymentInfo": info}, {"deploymentId": LATEST})
    stub.activate()
    return client


def test_a_finished_shift_is_reported_as_succeeded():
    assert release_status(codedeploy_answering({"status": "Succeeded"}), APPLICATION, GROUP) == (
        f"release {LATEST}: Succeeded"
    )


def test_a_rolled_back_release_fails_and_says_why():
    info = {
        "status": "Stopped",
        "rollbackInfo": {"rollbackDeploymentId": "d-ROLLBACK456"},
        "errorInformation": {"message": "Deployment stopped: alarm HelloErrorsAlarm went into ALARM"},
    }
    with pytest.raises(Failed, match=r"Stopped; CodeDeploy rolled the alias back \(rollback d-ROLLBACK456\)") as why:
        release_status(codedeploy_answering(info), APPLICATION, GROUP)
    assert "HelloErrorsAlarm went into ALARM" in str(why.value)


@pytest.mark.parametrize("status", ["InProgress", "Failed"])
def test_any_other_ending_fails(status):
    with pytest.raises(Failed, match=status):
        release_status(codedeploy_answering({"status": status}), APPLICATION, GROUP)


def test_a_stage_never_released_through_codedeploy_passes():
    assert "no CodeDeploy release" in release_status(codedeploy_answering(None), APPLICATION, GROUP)
