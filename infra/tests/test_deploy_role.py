"""The CloudFormation template that sets CircleCI up: lint-clean, OIDC-only, least privilege."""

from __future__ import annotations

import subprocess

from conftest import ROOT, load_yaml

TEMPLATE = ROOT / "infra" / "circleci-deploy-role.yml"


def policy_statements(role):
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_the_template_passes_cfn_lint():
    result = subprocess.run(["cfn-lint", str(TEMPLATE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_the_role_is_assumed_only_with_the_projects_oidc_token():
    role = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert "oidc.circleci.com" in str(trust["Principal"]["Federated"])
    assert "CircleCIProjectId" in str(trust["Condition"]["StringLike"])
    assert trust["Condition"]["StringEquals"]


def test_the_role_has_no_wildcard_action_and_no_managed_policy():
    role = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    assert "ManagedPolicyArns" not in role["Properties"]
    for statement in policy_statements(role):
        assert not any("*" in action for action in as_list(statement["Action"])), statement


def test_only_template_validation_is_unscoped():
    role = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    unscoped = [s["Action"] for s in policy_statements(role) if s["Resource"] == "*"]
    assert unscoped == ["cloudformation:ValidateTemplate"]


def test_resources_are_limited_to_the_service(project):
    template = load_yaml(TEMPLATE)
    assert template["Parameters"]["ServiceName"]["Default"] == project["service"]
    assert template["Parameters"]["DeployRoleName"]["Default"] == project["deploy_role_name"]
    for statement in policy_statements(template["Resources"]["DeployRole"]):
        for resource in as_list(statement["Resource"]):
            if resource != "*" and "log-group:*" not in str(resource) and "deploymentconfig" not in str(resource):
                assert "${ServiceName}" in str(resource) or "/apis" in str(resource) or "/tags" in str(resource), resource


def test_the_rollback_and_deploy_scripts_need_nothing_the_role_lacks():
    role = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    granted = {a for s in policy_statements(role) for a in as_list(s["Action"])}
    used_by_scripts = {
        "lambda:GetAlias", "lambda:UpdateAlias", "lambda:ListVersionsByFunction",  # rollback.py
        "lambda:GetFunction", "cloudformation:ListStackResources",  # deploy.sh
        "cloudformation:DescribeStacks", "codedeploy:ListDeployments", "codedeploy:GetDeployment",
    }
    assert used_by_scripts <= granted
