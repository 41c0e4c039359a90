"""The one-step rollback, against moto's Lambda API: it picks the right version in every
region, proves where the alias landed, and refuses clearly, changing nothing, when it cannot."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
import rollback
import yaml
from conftest import ROOT

# The project's own regions and stack, as `make rollback` finds them; the function's name is
# whatever the stack gave it.
_PROJECT = yaml.safe_load((ROOT / "project.yml").read_text())
REGIONS = _PROJECT["regions"]
FIRST, SECOND = REGIONS
STACK = f"{_PROJECT['service']}-{_PROJECT['stages']['production']}"
FUNCTION = "named-by-the-stack"
ONE_NAME = dict.fromkeys(REGIONS, FUNCTION)


def _zip(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bootstrap", f"#!/bin/sh\n# {marker}\n")
    return buffer.getvalue()


def _deploy(client, region: str, role_arn: str, versions: int, live: int | None) -> None:
    """The function as `sls deploy` leaves it: created by the stack, then versions published."""
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": FUNCTION,
            "Runtime": "provided.al2023",
            "Role": role_arn,
            "Handler": "bootstrap",
            "Code": {"ZipFile": "#!/bin/sh\n"},
        },
    }
    boto3.client("cloudformation", region_name=region).create_stack(
        StackName=STACK, TemplateBody=json.dumps({"Resources": {"HelloLambdaFunction": function}})
    )
    for number in range(1, versions + 1):
        client.update_function_code(FunctionName=FUNCTION, ZipFile=_zip(f"v{number}"))
        client.publish_version(FunctionName=FUNCTION)
    if live is not None:
        client.create_alias(FunctionName=FUNCTION, Name="live", FunctionVersion=str(live))


@pytest.fixture
def lambda_role(aws):
    """moto's AWS with a role for the function; yields the role's ARN."""
    iam = boto3.client("iam", region_name=REGIONS[0])
    return iam.create_role(
        RoleName="lambda",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]


def clients(role_arn: str, layout: dict[str, tuple[int, int | None]]) -> dict:
    """layout: region -> (published versions, version live serves or None for no alias)."""
    result = {}
    for region, (versions, live) in layout.items():
        client = boto3.client("lambda", region_name=region)
        _deploy(client, region, role_arn, versions, live)
        result[region] = client
    return result


def live_versions(regional_clients: dict) -> dict[str, str]:
    return {
        region: client.get_alias(FunctionName=FUNCTION, Name="live")["FunctionVersion"]
        for region, client in regional_clients.items()
    }


def test_goes_back_to_the_version_before_live_in_every_region(lambda_role):
    regional = clients(lambda_role, {FIRST: (3, 3), SECOND: (4, 3)})

    steps = rollback.rollback(regional, ONE_NAME, None)

    assert live_versions(regional) == {FIRST: "2", SECOND: "2"}
    assert [(s.region, s.current, s.target) for s in steps] == [
        (FIRST, "3", "2"),
        (SECOND, "3", "2"),
    ]


def test_goes_to_a_named_version(lambda_role):
    regional = clients(lambda_role, {FIRST: (3, 3), SECOND: (3, 3)})

    rollback.rollback(regional, ONE_NAME, "1")

    assert live_versions(regional) == {FIRST: "1", SECOND: "1"}


def test_clears_a_half_finished_traffic_shift(lambda_role):
    regional = clients(lambda_role, {FIRST: (3, 2)})
    regional[FIRST].update_alias(
        FunctionName=FUNCTION,
        Name="live",
        RoutingConfig={"AdditionalVersionWeights": {"3": 0.1}},
    )

    rollback.rollback(regional, ONE_NAME, None)

    alias = regional[FIRST].get_alias(FunctionName=FUNCTION, Name="live")
    assert alias["FunctionVersion"] == "1"
    assert not alias.get("RoutingConfig", {}).get("AdditionalVersionWeights")


def test_refuses_when_there_is_nothing_earlier_and_changes_no_region(lambda_role):
    regional = clients(lambda_role, {FIRST: (3, 3), SECOND: (1, 1)})

    with pytest.raises(rollback.RollbackRefused, match="no earlier version to go back to"):
        rollback.rollback(regional, ONE_NAME, None)

    assert live_versions(regional) == {FIRST: "3", SECOND: "1"}


@pytest.mark.parametrize(
    ("to", "reason"),
    [
        ("7", "has no version 7"),
        ("$LATEST", "must be a published version number"),
        ("two", "must be a published version number"),
        ("3", "already serves version 3"),
    ],
)
def test_refuses_a_bad_target_and_changes_nothing(lambda_role, to, reason):
    regional = clients(lambda_role, {FIRST: (3, 3), SECOND: (3, 3)})

    with pytest.raises(rollback.RollbackRefused, match=reason.replace("$", r"\$")):
        rollback.rollback(regional, ONE_NAME, to)

    assert live_versions(regional) == {FIRST: "3", SECOND: "3"}


def test_refuses_a_function_without_the_live_alias(lambda_role):
    regional = clients(lambda_role, {FIRST: (2, None)})

    with pytest.raises(rollback.RollbackRefused, match="has no 'live' alias"):
        rollback.rollback(regional, ONE_NAME, None)


def test_the_command_reports_each_region_and_exits_0(lambda_role, capsys):
    regional = clients(lambda_role, {FIRST: (2, 2), SECOND: (2, 2)})

    assert rollback.main(["--stage", _PROJECT["stages"]["production"]]) == 0

    assert live_versions(regional) == {FIRST: "1", SECOND: "1"}
    out = capsys.readouterr().out
    assert f"{FIRST}: {FUNCTION}:live 2 -> 1 (checked)" in out
    assert f"{SECOND}: {FUNCTION}:live 2 -> 1 (checked)" in out


def test_the_command_finds_the_function_in_each_regions_stack_whatever_its_name(lambda_role, capsys):
    regional = clients(lambda_role, {FIRST: (2, 2), SECOND: (2, 2)})
    assert rollback.stack_function(boto3.client("cloudformation", region_name=SECOND), SECOND, STACK) == FUNCTION
    assert rollback.main(["--stage", _PROJECT["stages"]["production"]]) == 0
    assert live_versions(regional) == {FIRST: "1", SECOND: "1"}


def test_the_command_refuses_a_stage_that_has_no_stack(lambda_role, capsys):
    clients(lambda_role, {FIRST: (2, 2), SECOND: (2, 2)})

    assert rollback.main(["--stage", "nowhere"]) == 2

    assert f"there is no stack {_PROJECT['service']}-nowhere" in capsys.readouterr().err


def test_the_command_says_why_it_refused_and_exits_2(lambda_role, capsys):
    clients(lambda_role, {FIRST: (1, 1), SECOND: (1, 1)})

    assert rollback.main(["--stage", _PROJECT["stages"]["production"]]) == 2

    assert "rollback refused, nothing changed" in capsys.readouterr().err
