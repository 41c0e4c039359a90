"""Rollback by release, against moto's Lambda API: every region goes to the version holding the
release's code, whatever its number there, the alias is read back, and a rollback some region
cannot make is refused with nothing changed anywhere."""

from __future__ import annotations

import copy
import dataclasses
import json

import boto3
import pytest
from lambda_helpers import FUNCTION, function_resource, release_zip

from ops import project as projects
from ops import rollback
from ops.artifacts import Manifest, code_sha256
from ops.aws import stack_function
from ops.cli import run

# The project's own regions, stack and alias, as `make rollback` finds them; the function's
# name is whatever the stack gave it.
PROJECT = projects.load()
REGIONS = PROJECT.regions
FIRST, SECOND = REGIONS
PRODUCTION = PROJECT.stage("production")
STACK = PROJECT.stack(PRODUCTION)
ALIAS = PROJECT.alias
# Rollback moves the canary's alias; a fork that deleted the canary has none to move.
with_the_canary = pytest.mark.skipif(ALIAS is None, reason="no canary (infra/canary.yml), so no alias to roll back")
ONE_NAME = dict.fromkeys(REGIONS, FUNCTION)


def code(release: str) -> str:
    """The CodeSha256 Lambda reports for a release's zip."""
    return code_sha256(release_zip(release))


def _deploy(client, region: str, role_arn: str, releases: list[str], live: int | None) -> None:
    """The function as `sls deploy` leaves it: created by the stack, then one version published
    per deploy, each with that deploy's release."""
    boto3.client("cloudformation", region_name=region).create_stack(
        StackName=STACK, TemplateBody=json.dumps({"Resources": {"HelloLambdaFunction": function_resource(role_arn)}})
    )
    for release in releases:
        client.update_function_code(FunctionName=FUNCTION, ZipFile=release_zip(release))
        client.publish_version(FunctionName=FUNCTION)
    if live is not None:
        client.create_alias(FunctionName=FUNCTION, Name=ALIAS, FunctionVersion=str(live))


@pytest.fixture
def lambda_role(aws):
    """moto's AWS with a role for the function; yields the role's ARN."""
    iam = boto3.client("iam", region_name=REGIONS[0])
    return iam.create_role(
        RoleName="lambda",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]


def clients(role_arn: str, layout: dict[str, tuple[list[str], int | None]]) -> dict:
    """layout: region -> (the release of each published version, the version live serves or
    None for no alias)."""
    result = {}
    for region, (releases, live) in layout.items():
        client = boto3.client("lambda", region_name=region)
        _deploy(client, region, role_arn, releases, live)
        result[region] = client
    return result


def live_code(regional_clients: dict) -> dict[str, str]:
    return {
        region: client.get_function(FunctionName=FUNCTION, Qualifier=ALIAS)["Configuration"]["CodeSha256"]
        for region, client in regional_clients.items()
    }


def live_versions(regional_clients: dict) -> dict[str, str]:
    return {
        region: client.get_alias(FunctionName=FUNCTION, Name=ALIAS)["FunctionVersion"]
        for region, client in regional_clients.items()
    }


# Version numbers that differ between the regions: the second also holds release x, whose
# deploy failed in the first and was never retried there.
DRIFTED = {FIRST: (["a", "b", "c"], 3), SECOND: (["a", "x", "b", "c"], 4)}


@with_the_canary
def test_goes_back_to_the_release_before_live_in_every_region_whatever_its_number(lambda_role):
    regional = clients(lambda_role, DRIFTED)

    steps = rollback.rollback(regional, ONE_NAME, None, ALIAS)

    assert live_code(regional) == {FIRST: code("b"), SECOND: code("b")}
    assert [(s.region, s.current, s.target) for s in steps] == [(FIRST, "3", "2"), (SECOND, "4", "3")]


@with_the_canary
def test_goes_to_a_named_release_held_under_different_numbers(lambda_role):
    regional = clients(lambda_role, DRIFTED)

    steps = rollback.rollback(regional, ONE_NAME, code("b"), ALIAS)

    assert live_code(regional) == {FIRST: code("b"), SECOND: code("b")}
    assert {s.region: s.target for s in steps} == {FIRST: "2", SECOND: "3"}


@with_the_canary
def test_refuses_a_release_one_region_lacks_and_changes_no_region(lambda_role):
    regional = clients(lambda_role, DRIFTED)

    with pytest.raises(rollback.RollbackRefused, match=f"{FIRST}: no version .* holds that release's code"):
        rollback.rollback(regional, ONE_NAME, code("x"), ALIAS)

    assert live_code(regional) == {FIRST: code("c"), SECOND: code("c")}


@with_the_canary
def test_refuses_when_the_regions_hold_different_earlier_releases(lambda_role):
    regional = clients(lambda_role, {FIRST: (["a", "b", "c"], 3), SECOND: (["a", "x", "c"], 3)})

    with pytest.raises(rollback.RollbackRefused, match=r"different earlier releases.*name one with --release"):
        rollback.rollback(regional, ONE_NAME, None, ALIAS)

    assert live_code(regional) == {FIRST: code("c"), SECOND: code("c")}


@with_the_canary
def test_refuses_the_release_live_already_serves(lambda_role):
    regional = clients(lambda_role, DRIFTED)

    with pytest.raises(rollback.RollbackRefused, match="already serves that release"):
        rollback.rollback(regional, ONE_NAME, code("c"), ALIAS)


@with_the_canary
def test_clears_a_half_finished_traffic_shift(lambda_role):
    regional = clients(lambda_role, {FIRST: (["a", "b", "c"], 2)})
    regional[FIRST].update_alias(
        FunctionName=FUNCTION,
        Name=ALIAS,
        RoutingConfig={"AdditionalVersionWeights": {"3": 0.1}},
    )

    rollback.rollback(regional, ONE_NAME, None, ALIAS)

    alias = regional[FIRST].get_alias(FunctionName=FUNCTION, Name=ALIAS)
    assert alias["FunctionVersion"] == "1"
    assert not alias.get("RoutingConfig", {}).get("AdditionalVersionWeights")


@with_the_canary
def test_refuses_when_there_is_nothing_earlier_and_changes_no_region(lambda_role):
    regional = clients(lambda_role, {FIRST: (["a", "b", "c"], 3), SECOND: (["c"], 1)})

    with pytest.raises(rollback.RollbackRefused, match="no earlier release is held"):
        rollback.rollback(regional, ONE_NAME, None, ALIAS)

    assert live_code(regional) == {FIRST: code("c"), SECOND: code("c")}


@with_the_canary
def test_refuses_a_function_without_the_live_alias(lambda_role):
    regional = clients(lambda_role, {FIRST: (["a", "b"], None)})

    with pytest.raises(rollback.RollbackRefused, match=f"has no '{ALIAS}' alias"):
        rollback.rollback(regional, ONE_NAME, None, ALIAS)


def publish_manifest(region: str, commit: str, release: str) -> None:
    """A release bucket (the stack <service>-artifacts) holding `commit`'s production manifest."""
    template = {"Resources": {"ReleaseBucket": {"Type": "AWS::S3::Bucket"}}}
    cloudformation = boto3.client("cloudformation", region_name=region)
    cloudformation.create_stack(StackName=PROJECT.artifacts_stack, TemplateBody=json.dumps(template))
    (bucket,) = [
        r["PhysicalResourceId"]
        for r in cloudformation.list_stack_resources(StackName=PROJECT.artifacts_stack)["StackResourceSummaries"]
    ]
    manifest = Manifest.of_zip(
        release_zip(release), service=PROJECT.service, stage=PRODUCTION, artifact=str(PROJECT.zip), commit=commit
    )
    boto3.client("s3", region_name=region).put_object(
        Bucket=bucket, Key=PROJECT.release_manifest_key(commit, PRODUCTION), Body=manifest.json()
    )


@with_the_canary
def test_the_command_rolls_back_to_a_published_release_in_every_region(lambda_role, capsys):
    regional = clients(lambda_role, DRIFTED)
    for region in REGIONS:
        publish_manifest(region, "abc123", "b")

    assert run(rollback.main, ["--stage", "production", "--release", "abc123"]) == 0

    assert live_code(regional) == {FIRST: code("b"), SECOND: code("b")}
    out = capsys.readouterr().out
    assert f"{FIRST}: {FUNCTION}:{ALIAS} 3 -> 2 (code {code('b')}, checked)" in out
    assert f"{SECOND}: {FUNCTION}:{ALIAS} 4 -> 3 (code {code('b')}, checked)" in out


@with_the_canary
def test_the_command_refuses_a_release_never_published_and_changes_nothing(lambda_role, capsys):
    regional = clients(lambda_role, DRIFTED)
    for region in REGIONS:
        publish_manifest(region, "abc123", "b")

    assert run(rollback.main, ["--stage", "production", "--release", "unknown"]) == 2

    assert "release unknown was never published" in capsys.readouterr().err
    assert live_code(regional) == {FIRST: code("c"), SECOND: code("c")}


@with_the_canary
def test_the_command_finds_the_function_in_each_regions_stack_whatever_its_name(lambda_role, capsys):
    regional = clients(lambda_role, DRIFTED)
    assert stack_function(PROJECT, SECOND, PRODUCTION) == FUNCTION
    assert run(rollback.main, ["--stage", PRODUCTION]) == 0
    assert live_code(regional) == {FIRST: code("b"), SECOND: code("b")}


@with_the_canary
def test_the_command_refuses_a_stage_that_has_no_stack(lambda_role, capsys):
    clients(lambda_role, DRIFTED)

    assert run(rollback.main, ["--stage", "nowhere"]) == 2

    assert f"there is no stack {PROJECT.stack('nowhere')}" in capsys.readouterr().err


def test_without_the_canary_the_command_refuses_and_says_how_to_go_back(monkeypatch, capsys):
    serverless = copy.deepcopy(PROJECT.serverless)
    for function in serverless["functions"].values():
        function.pop("deploymentSettings", None)
    monkeypatch.setattr(rollback.projects, "load", lambda: dataclasses.replace(PROJECT, serverless=serverless))

    assert run(rollback.main, []) == 2

    assert "make deploy-release COMMIT=<commit>" in capsys.readouterr().err
