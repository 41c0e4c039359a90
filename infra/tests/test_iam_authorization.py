"""Every IAM statement here grants what it says, by AWS's Service Authorization Reference
(infra/iam_authorization.py): in the deploy role and in every role of the compiled templates.
And the deploy role may create every named resource those templates create."""

from __future__ import annotations

import copy

import iam_authorization as iam
import pytest
from conftest import ROOT, load_yaml, packaged

ROLE = ROOT / "infra" / "circleci-deploy-role.yml"


@pytest.fixture(scope="module")
def role_template(project) -> dict:
    """The deploy role as project.yml's service would deploy it."""
    if not ROLE.exists():
        pytest.skip("this fork has no CircleCI deploy role (README, What a fork can delete)")
    template = load_yaml(ROLE)
    template["Parameters"]["ServiceName"]["Default"] = project["service"]
    return template


def stack(project, stage: str) -> str:
    return f"{project['service']}-{stage}"


def statement(template: dict, sid: str) -> dict:
    policies = template["Resources"]["DeployRole"]["Properties"]["Policies"]
    return next(s for p in policies for s in p["PolicyDocument"]["Statement"] if s.get("Sid") == sid)


def test_the_deploy_role_grants_every_action_it_names(role_template):
    assert [str(finding) for finding in iam.check_roles(role_template, "role-stack")] == []


@pytest.mark.parametrize("stage", ["qa", "production"])
def test_every_role_of_a_compiled_stage_grants_every_action_it_names(project, stage):
    name = project["stages"][stage]
    template, _ = packaged(name)
    assert [str(finding) for finding in iam.check_roles(template, stack(project, name))] == []


def test_the_roles_of_a_stage_with_a_domain_grant_every_action_they_name(project, production_with_domain):
    name = project["stages"]["production"]
    assert [str(f) for f in iam.check_roles(production_with_domain, stack(project, name))] == []


@pytest.mark.parametrize("stage", ["qa", "production"])
def test_the_deploy_role_may_create_every_named_resource_of_a_stage(role_template, project, stage):
    name = project["stages"][stage]
    template, _ = packaged(name)
    assert iam.denied_creations(role_template, template, stack(project, name)) == []


def test_an_action_that_takes_only_star_scoped_to_arns_is_found(role_template):
    mutated = copy.deepcopy(role_template)
    statement(mutated, "CustomDomainCertificates")["Action"].append("route53:CreateHealthCheck")
    findings = [str(f) for f in iam.check_roles(mutated, "role-stack")]
    assert any("route53:CreateHealthCheck: takes only Resource '*'" in f for f in findings), findings


def test_an_action_that_does_not_exist_is_found(role_template):
    mutated = copy.deepcopy(role_template)
    statement(mutated, "StageDashboards")["Action"].append("cloudwatch:PutDashboards")
    findings = [str(f) for f in iam.check_roles(mutated, "role-stack")]
    assert any("cloudwatch:PutDashboards: is not an action" in f for f in findings), findings


def test_an_action_scoped_to_resources_it_never_acts_on_is_found(role_template):
    mutated = copy.deepcopy(role_template)
    statement(mutated, "StageDashboards")["Action"].append("lambda:GetFunction")
    findings = [str(f) for f in iam.check_roles(mutated, "role-stack")]
    assert any("lambda:GetFunction: acts on" in f and "grants nothing" in f for f in findings), findings


def test_a_log_group_named_outside_the_roles_patterns_is_found_before_a_deploy(role_template, project):
    name = project["stages"]["production"]
    template, _ = packaged(name)
    mutated = copy.deepcopy(template)
    mutated["Resources"]["ElsewhereLogGroup"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": "/custom/elsewhere"},
    }
    denied = iam.denied_creations(role_template, mutated, stack(project, name))
    assert denied == [
        f"logs:CreateLogGroup arn:aws:logs:{iam.REGION}:{iam.ACCOUNT}:log-group:/custom/elsewhere (ElsewhereLogGroup)"
    ]


@pytest.mark.parametrize(
    ("resource", "arn_format", "expected"),
    [
        ("arn:aws:s3:::b-*/releases/*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}", True),
        (
            "arn:aws:lambda:*:1:function:hw-*",
            "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}",
            True,
        ),
        (
            "arn:aws:logs:r:1:log-group:/aws/lambda/hw*:*",
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
            True,
        ),
        ("arn:aws:iam::1:role/hw-*", "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}", False),
        ("arn:aws:route53:::hostedzone/Z1", "arn:${Partition}:route53:::healthcheck/${Id}", False),
    ],
)
def test_a_resource_acts_on_a_format_when_some_arn_fits_both(resource, arn_format, expected):
    assert iam.matches(resource, arn_format) is expected
