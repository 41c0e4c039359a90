"""Nothing reaches production unless it is named. With no stage, every make target and ops
command that deploys, rolls back, drains or restores acts on project.yml's default stage; tried
against moto with production deployed in every region, none of them changes production, while
the same commands naming production do."""

from __future__ import annotations

import json

import boto3
import pytest
from dns_helpers import route53_part
from lambda_helpers import FUNCTION, function_resource, release_zip
from makefile import dry_run, ops_commands, targets_passing

from ops import project as projects
from ops.__main__ import main as run_ops

PROJECT = projects.load()
DEFAULT, PRODUCTION = PROJECT.stage("default"), PROJECT.stage("production")
# Every target that changes a deployed stage; the test below finds no other that takes STAGE
# without being a read (a URL, a dashboard, a package).
CHANGING = ["deploy", "deploy-all", "deploy-release", "rollback", "drain", "restore"]
READING = ["package", "acceptance", "smoke-global", "dashboard"]
ARGUMENTS = {"REGION": PROJECT.regions[0], "COMMIT": "0123abc"}
with_the_canary = pytest.mark.skipif(PROJECT.alias is None, reason="no canary: no alias to move")


def test_the_targets_that_take_a_stage_are_known_to_this_test():
    assert sorted(targets_passing("STAGE_ARG")) == sorted(CHANGING + READING)


@pytest.mark.parametrize("target", CHANGING + READING)
def test_a_target_passes_a_stage_only_when_one_is_named(target):
    assert "--stage" not in "\n".join(dry_run(target, **ARGUMENTS))
    assert "--stage qa" in "\n".join(dry_run(target, STAGE="qa", **ARGUMENTS))


def test_no_stage_means_the_default_stage():
    assert PROJECT.stage_named(None) == DEFAULT != PRODUCTION
    assert PROJECT.stage_named("production") == PRODUCTION


@pytest.fixture
def production(aws, production_with_domain, project, tmp_path, monkeypatch):
    """Production deployed in every region of moto, as far as moto goes: the function with two
    releases and its live alias on the second, and the DNS layer's health check. The ops code
    sees an empty checkout (no package of any stage) so that no command reaches `sls`."""
    monkeypatch.setattr(projects.Project, "package_dir", lambda _, stage: tmp_path / "dist" / stage)
    role = boto3.client("iam", region_name=project["regions"][0]).create_role(
        RoleName="lambda", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    route53 = boto3.client("route53", region_name=project["regions"][0])
    zone = route53.create_hosted_zone(Name="api.example.com", CallerReference="safe")["HostedZone"]["Id"]
    for index, region in enumerate(project["regions"]):
        template = route53_part(production_with_domain, zone.rsplit("/", 1)[-1])
        template["Resources"]["HelloLambdaFunction"] = function_resource(role)
        boto3.client("cloudformation", region_name=region).create_stack(
            StackName=PROJECT.stack(PRODUCTION),
            TemplateBody=json.dumps(template),
            Parameters=[
                {"ParameterKey": "HttpApi", "ParameterValue": f"api{index}"},
                {"ParameterKey": "RegionalDomainName", "ParameterValue": f"d-{index}.example.com"},
                {"ParameterKey": "RegionalHostedZoneId", "ParameterValue": f"ZREGION{index}"},
            ],
        )
        functions = boto3.client("lambda", region_name=region)
        for release in ("first", "second"):
            functions.update_function_code(FunctionName=FUNCTION, ZipFile=release_zip(release))
            functions.publish_version(FunctionName=FUNCTION)
        if PROJECT.alias:
            functions.create_alias(FunctionName=FUNCTION, Name=PROJECT.alias, FunctionVersion="2")
    return project["regions"]


def production_state(regions) -> dict:
    """What a deploy, rollback, drain or restore of production would change, per region."""
    state = {}
    route53 = boto3.client("route53", region_name=regions[0])
    for region in regions:
        functions = boto3.client("lambda", region_name=region)
        alias = PROJECT.alias and functions.get_alias(FunctionName=FUNCTION, Name=PROJECT.alias)["FunctionVersion"]
        stack = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=PROJECT.stack(PRODUCTION))[
            "Stacks"
        ][0]
        checks = boto3.client("cloudformation", region_name=region).describe_stack_resources(
            StackName=PROJECT.stack(PRODUCTION)
        )["StackResources"]
        (check,) = [c["PhysicalResourceId"] for c in checks if c["ResourceType"] == "AWS::Route53::HealthCheck"]
        inverted = route53.get_health_check(HealthCheckId=check)["HealthCheck"]["HealthCheckConfig"]["Inverted"]
        state[region] = {
            "alias": alias,
            "code": functions.get_function(FunctionName=FUNCTION)["Configuration"]["CodeSha256"],
            "stack": (stack["StackStatus"], stack.get("LastUpdatedTime")),
            "inverted": inverted,
        }
    return state


@pytest.mark.parametrize("target", CHANGING)
def test_with_no_stage_a_target_leaves_production_as_it_was(production, target, capsys):
    before = production_state(production)
    for command in ops_commands(target, **ARGUMENTS):
        status = run_ops(command)
        said = "".join(capsys.readouterr())
        assert status != 0, f"{command} did something with no stage: {said}"
        assert DEFAULT in said, f"{command} did not act on the default stage {DEFAULT}: {said}"
    assert production_state(production) == before


@with_the_canary
@pytest.mark.parametrize(
    ("target", "changed"),
    [("rollback", "alias"), ("drain", "inverted")],
)
def test_naming_production_does_reach_it(production, target, changed, capsys):
    """The same commands with STAGE=production change production: the state above would see it."""
    before = production_state(production)
    for command in ops_commands(target, STAGE="production", **ARGUMENTS):
        assert run_ops(command) == 0, f"{command}: {''.join(capsys.readouterr())}"
    after = production_state(production)
    assert after[PROJECT.regions[0]][changed] != before[PROJECT.regions[0]][changed]
