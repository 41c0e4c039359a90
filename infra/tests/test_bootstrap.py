"""`make bootstrap` (ops/setup/bootstrap.py) against moto: from an empty account it plans every
stack with change sets and changes nothing until asked; applied, it creates the release bucket
in every region and the deploy role; a second run finds nothing to change; a stack in a failed
state, or changed by hand, is refused with nothing changed. CloudFormation's drift detection,
which moto lacks, is checked against its recorded answers (botocore's Stubber)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from conftest import live_stacks

from ops import change_sets
from ops import project as projects
from ops.cli import Failed, run
from ops.setup import bootstrap, drift

# moto's CloudFormation skips these two types (docs/deploy.md says what that leaves unshown),
# and warns each time it does.
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS.*(BucketPolicy|OIDCProvider) but:UserWarning")
PROJECT = projects.load()


@pytest.fixture(autouse=True)
def as_deployed(monkeypatch):
    """moto has no drift detection: its stacks are as deployed, as CloudFormation would say of
    them (the drift tests below give bootstrap CloudFormation's recorded answers instead)."""
    monkeypatch.setattr(bootstrap, "drifted_resources", lambda cloudformation, stack: [])


IDS = ["--org-id", "0a1b2c3d-org", "--project-id", "4e5f6a7b-project"]
ROLE = PROJECT.settings.get("deploy_role_name")


def expected_stacks() -> dict[str, list[str]]:
    expected = {region: [PROJECT.artifacts_stack] for region in PROJECT.regions}
    if ROLE:
        expected[PROJECT.regions[0]] = sorted([PROJECT.artifacts_stack, ROLE])
    return expected


def test_a_plan_on_an_empty_account_lists_every_stack_and_changes_nothing(aws, capsys):
    assert run(bootstrap.main, IDS) == 0
    out = capsys.readouterr().out
    for region in PROJECT.regions:
        assert f"{region}: {PROJECT.artifacts_stack} (create):\n  Add ReleaseBucket (AWS::S3::Bucket)" in out
    assert "nothing was changed: run again with --apply" in out
    assert live_stacks(PROJECT.regions) == {region: [] for region in PROJECT.regions}


def test_applied_it_creates_the_buckets_and_the_role_and_says_what_to_set_in_circleci(aws, capsys):
    assert run(bootstrap.main, [*IDS, "--apply"]) == 0
    assert live_stacks(PROJECT.regions) == expected_stacks()
    for region in PROJECT.regions:
        s3 = boto3.client("s3", region_name=region)
        assert any(bucket["Name"] for bucket in s3.list_buckets()["Buckets"])
    if ROLE:
        iam = boto3.client("iam", region_name=PROJECT.regions[0])
        out = capsys.readouterr().out
        assert f"AWS_ROLE_ARN={iam.get_role(RoleName=ROLE)['Role']['Arn']} in the contexts of qa and production" in out
        if PROJECT.settings.get("previews"):
            preview = iam.get_role(RoleName=f"{ROLE}-previews")["Role"]["Arn"]
            assert f"AWS_ROLE_ARN={preview} in the previews' context" in out


def test_a_second_run_finds_nothing_to_change(aws, capsys):
    run(bootstrap.main, [*IDS, "--apply"])
    capsys.readouterr()
    assert run(bootstrap.main, IDS) == 0
    out = capsys.readouterr().out
    assert "nothing to change: the account is set up" in out
    assert "Add " not in out
    assert live_stacks(PROJECT.regions) == expected_stacks()


def test_a_stack_in_a_failed_state_is_refused_with_nothing_changed(aws, monkeypatch, capsys):
    real = change_sets.status_of
    last = PROJECT.regions[-1]
    monkeypatch.setattr(
        change_sets,
        "status_of",
        lambda cloudformation, name: (
            "UPDATE_ROLLBACK_FAILED" if cloudformation.meta.region_name == last else real(cloudformation, name)
        ),
    )
    assert run(bootstrap.main, [*IDS, "--apply"]) == 2
    assert f"{last}: {PROJECT.artifacts_stack} is UPDATE_ROLLBACK_FAILED" in capsys.readouterr().err
    assert live_stacks(PROJECT.regions) == {region: [] for region in PROJECT.regions}


@pytest.mark.skipif(not ROLE, reason="no deploy role: the project does not deploy from CircleCI")
def test_the_deploy_role_needs_circlecis_ids(aws, capsys):
    assert run(bootstrap.main, []) == 2
    assert "give --org-id and --project-id" in capsys.readouterr().err


@pytest.mark.skipif(not ROLE, reason="no deploy role: the project does not deploy from CircleCI")
def test_the_oidc_provider_is_created_only_where_the_account_lacks_it(aws):
    region = PROJECT.regions[0]
    assert bootstrap.create_oidc_provider(region, ROLE, "0a1b2c3d-org") == "true"
    boto3.client("iam", region_name=region).create_open_id_connect_provider(
        Url="https://oidc.circleci.com/org/0a1b2c3d-org", ClientIDList=["0a1b2c3d-org"], ThumbprintList=["0" * 40]
    )
    assert bootstrap.create_oidc_provider(region, ROLE, "0a1b2c3d-org") == "false"
    assert bootstrap.create_oidc_provider(region, ROLE, "another-org") == "true"


# ---- drift ------------------------------------------------------------------------------------


def test_a_stack_changed_by_hand_is_refused_and_nothing_changes(aws, monkeypatch, capsys):
    run(bootstrap.main, [*IDS, "--apply"])
    before = live_stacks(PROJECT.regions)
    changed = "ReleaseBucket (AWS::S3::Bucket) modified at /VersioningConfiguration/Status"
    monkeypatch.setattr(bootstrap, "drifted_resources", lambda cloudformation, stack: [changed])
    assert run(bootstrap.main, [*IDS, "--apply"]) == 2
    assert f"was changed by hand: {changed}" in capsys.readouterr().err
    assert live_stacks(PROJECT.regions) == before


def cloudformation_answering(detection: dict, drifts: list[dict] | None = None):
    client = boto3.client("cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_response("detect_stack_drift", {"StackDriftDetectionId": "d-1"}, {"StackName": "s"})
    status = {"StackId": "s", "StackDriftDetectionId": "d-1", "Timestamp": "2026-12-04T00:00:00Z", **detection}
    stub.add_response("describe_stack_drift_detection_status", status, {"StackDriftDetectionId": "d-1"})
    if drifts is not None:
        stub.add_response(
            "describe_stack_resource_drifts",
            {"StackResourceDrifts": drifts},
            {"StackName": "s", "StackResourceDriftStatusFilters": ["MODIFIED", "DELETED"]},
        )
    stub.activate()
    return client


def test_a_stack_in_sync_has_no_drifted_resource():
    answer = {"DetectionStatus": "DETECTION_COMPLETE", "StackDriftStatus": "IN_SYNC"}
    assert drift.drifted_resources(cloudformation_answering(answer), "s") == []


def test_a_drifted_stack_names_each_resource_and_property_changed():
    answer = {"DetectionStatus": "DETECTION_COMPLETE", "StackDriftStatus": "DRIFTED"}
    resource = {
        "StackId": "s",
        "LogicalResourceId": "ReleaseBucket",
        "ResourceType": "AWS::S3::Bucket",
        "StackResourceDriftStatus": "MODIFIED",
        "Timestamp": "2026-12-04T00:00:00Z",
        "PropertyDifferences": [
            {
                "PropertyPath": "/VersioningConfiguration/Status",
                "ExpectedValue": "Enabled",
                "ActualValue": "Suspended",
                "DifferenceType": "NOT_EQUAL",
            }
        ],
    }
    assert drift.drifted_resources(cloudformation_answering(answer, [resource]), "s") == [
        "ReleaseBucket (AWS::S3::Bucket) modified at /VersioningConfiguration/Status"
    ]


def test_a_detection_that_fails_fails_the_plan():
    answer = {"DetectionStatus": "DETECTION_FAILED", "DetectionStatusReason": "no access"}
    with pytest.raises(Failed, match="could not detect drift: no access"):
        drift.drifted_resources(cloudformation_answering(answer), "s")
