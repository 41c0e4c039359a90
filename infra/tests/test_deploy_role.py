"""The CloudFormation template that sets CircleCI up: lint-clean, OIDC-only, and allowing what
CloudFormation's own schemas say the compiled templates need, less written exclusions."""

from __future__ import annotations

import copy
import re

import botocore.session
import deploy_role
import iam_authorization
import pytest
from conftest import ROOT, lint, load_yaml, packaged

from ops import data
from ops import project as projects

TEMPLATE = ROOT / "infra" / "circleci-deploy-role.yml"
# Read-only calls that list or check account-wide, which AWS cannot scope to a resource.
# Resources that are not named after the service, each for a reason: API Gateway's paths, the
# account's log groups, deployment configs, certificates, health checks and DynamoDB's
# replication role (AWS names them), and the one hosted zone of the stages' domains.
NOT_NAMED_AFTER_THE_SERVICE = (
    "/apis",
    "/tags",
    "/domainnames",
    "log-group:*",
    "deploymentconfig",
    ":certificate/*",
    ":::healthcheck/*",
    ":::change/*",
    ":::hostedzone/${HostedZoneId}",
    "/AWSServiceRoleForDynamoDBReplication",
)


def policy_statements(role):
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def as_list(value):
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def templates(project, production_with_domain) -> list[dict]:
    """Every template the role deploys: each stage CI deploys, the rehearsal's, production
    with a domain (the DNS layer), and production's data stack (ops.data)."""
    stages = [project["stages"]["qa"], project["stages"]["production"], *project["stages"]["rehearsal"].values()]
    ops_project = projects.load()
    has_data = (ops_project.root / data.TEMPLATE).is_file()
    data_stacks = [data.template(ops_project, ops_project.stage("production"))] if has_data else []
    return [*(packaged(stage)[0] for stage in stages), production_with_domain, *data_stacks]


@pytest.fixture(scope="module")
def regions(project) -> tuple[str, ...]:
    return tuple(project["regions"])


def test_the_template_passes_cfn_lint():
    assert lint(TEMPLATE) == []


def test_the_role_is_assumed_only_with_the_projects_oidc_token():
    role = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert "oidc.circleci.com" in str(trust["Principal"]["Federated"])
    assert "CircleCIProjectId" in str(trust["Condition"]["StringLike"])
    assert trust["Condition"]["StringEquals"]


# ---- derived from CloudFormation's schemas --------------------------------------------------


def test_the_role_allows_every_action_the_schemas_list_for_the_compiled_templates(templates, regions):
    verdict = deploy_role.check(templates, deploy_role.granted_actions(), deploy_role.exclusions(), regions)
    assert verdict.broken_exclusions == []
    assert verdict.missing == set(), "add these to infra/circleci-deploy-role.yml, or exclude them with a reason"


def test_a_new_resource_type_in_a_template_is_a_gap(templates, regions):
    grown = copy.deepcopy(templates[0])
    grown["Resources"]["Queue"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    verdict = deploy_role.check([grown], deploy_role.granted_actions(), deploy_role.exclusions(), regions)
    assert "sqs:CreateQueue" in verdict.missing


def test_an_action_missing_from_the_role_is_a_gap(templates, regions):
    granted = deploy_role.granted_actions() - {"logs:ListTagsForResource"}
    verdict = deploy_role.check(templates, granted, deploy_role.exclusions(), regions)
    assert verdict.missing == {"logs:ListTagsForResource"}


def test_an_exclusion_stops_holding_when_a_template_uses_what_it_relies_on(templates, regions):
    in_a_vpc = copy.deepcopy(templates[0])
    function = next(r for r in in_a_vpc["Resources"].values() if r["Type"] == "AWS::Lambda::Function")
    function["Properties"]["VpcConfig"] = {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
    verdict = deploy_role.check([in_a_vpc], deploy_role.granted_actions(), deploy_role.exclusions(), regions)
    assert [rule.actions for rule, _ in verdict.broken_exclusions] == [("ec2:*", "elasticfilesystem:*", "s3files:*")]


def test_every_exclusion_has_a_reason_and_leaves_out_something_the_schemas_list(templates, regions):
    required = {deploy_role.iam_name(a) for a in deploy_role.required_actions(templates, regions)}
    for rule in deploy_role.exclusions():
        assert len(rule.reason) > 20, rule
        assert any(rule.covers(action) for action in required), f"stale exclusion: {rule.actions}"


def test_nothing_the_role_grants_is_also_excluded():
    granted = deploy_role.granted_actions()
    for rule in deploy_role.exclusions():
        assert not [a for a in granted if rule.covers(a)], rule.actions


# ---- least privilege ---------------------------------------------------------------------------


def test_the_role_has_no_wildcard_action_and_no_managed_policy():
    role = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    assert "ManagedPolicyArns" not in role["Properties"]
    for statement in policy_statements(role):
        assert not any("*" in action for action in as_list(statement["Action"])), statement


def test_only_actions_that_take_no_resource_scope_are_unscoped():
    """By AWS's Service Authorization Reference: an action that acts on some resource type is
    scoped to its resources, never granted on '*'."""
    role = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    unscoped = {a for s in policy_statements(role) if s["Resource"] == "*" for a in as_list(s["Action"])}
    assert unscoped
    assert {action for action in unscoped if iam_authorization.arn_formats(action)} == set()


def test_resources_are_limited_to_the_service(project):
    template = load_yaml(TEMPLATE)
    assert template["Parameters"]["ServiceName"]["Default"] == project["service"]
    assert template["Parameters"]["DeployRoleName"]["Default"] == project["deploy_role_name"]
    allows = [s for s in policy_statements(template["Resources"]["DeployRole"]) if s["Effect"] == "Allow"]
    for statement in allows:
        for resource in as_list(statement["Resource"]):
            if resource != "*":
                named = "${ServiceName}" in str(resource)
                assert named or any(scope in str(resource) for scope in NOT_NAMED_AFTER_THE_SERVICE), resource


def test_the_deploy_role_may_not_change_itself_or_the_preview_role():
    """Both are named after the service, as the roles it may change are."""
    role = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    (deny,) = [s for s in policy_statements(role) if s["Effect"] == "Deny"]
    changes = {a for s in policy_statements(role) if s.get("Sid") == "ServiceRoles" for a in as_list(s["Action"])}
    assert changes - {"iam:CreateRole", "iam:GetRole", "iam:GetRolePolicy"} - {
        "iam:ListAttachedRolePolicies",
        "iam:ListRolePolicies",
    } <= set(as_list(deny["Action"]))
    assert "iam:PassRole" in as_list(deny["Action"])
    assert [r["Fn::Sub"].rsplit(":role/", 1)[1] for r in as_list(deny["Resource"])] == [
        "${DeployRoleName}",
        "${DeployRoleName}-previews",
    ]


def test_the_release_buckets_are_reached_only_under_their_stack_name_and_releases_prefix():
    role = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    (statement,) = [s for s in policy_statements(role) if s.get("Sid") == "ReleaseBuckets"]
    assert set(as_list(statement["Action"])) == {"s3:GetObject", "s3:ListBucket", "s3:PutObject"}
    resources = [r["Fn::Sub"] for r in as_list(statement["Resource"])]
    assert resources == [
        "arn:${AWS::Partition}:s3:::${ServiceName}-artifacts-releasebucket-*",
        "arn:${AWS::Partition}:s3:::${ServiceName}-artifacts-releasebucket-*/releases/*",
    ]
    project = projects.load()
    assert project.artifacts_stack == f"{project.service}-artifacts"
    assert project.release_zip_key("abc").startswith("releases/abc/")
    assert project.release_manifest_key("abc", "prod").startswith("releases/abc/")


def ops_calls(paths=None, services=("cloudformation", "lambda", "s3", "codedeploy", "route53")) -> set[str]:
    """Every AWS action the ops package (or those of its files) calls: each
    `<client>.<operation>(` of a boto3 client it names, read from its source, as IAM spells it."""
    session = botocore.session.get_session()
    calls = set()
    for path in paths or (ROOT / "ops").glob("*.py"):
        text = path.read_text()
        # `client.operation(` calls, and paginated operations named as strings.
        called = set(re.findall(r"\.(\w+)\(", text)) | set(re.findall(r'get_paginator\("(\w+)"\)', text))
        for service in services:
            model = session.get_service_model(service)
            operations = {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower(): name for name in model.operation_names}
            calls |= {(service, operations[method]) for method in called if method in operations}
    return calls


def test_the_ops_package_needs_nothing_the_role_lacks():
    """What a CircleCI job runs (publish, deploy and deploy-release with the stage's data stack,
    rollback, smoke, smoke-global) may call only what the role grants; the rehearsal's own
    moto-only calls and the buckets' S3 API names are mapped to the IAM actions they need."""
    granted = deploy_role.granted_actions()
    # S3's API names differ from its IAM actions; the rehearsal alone creates stacks and versions.
    iam_action = {"HeadObject": "GetObject", "ListObjectsV2": "ListBucket"}
    rehearsal_only = {"CreateStack", "PublishVersion", "CreateAlias", "UpdateFunctionCode"}
    # A plan a person runs without applying it (`ops data`, `make bootstrap`) deletes the empty
    # stack it made; CI applies, and an apply never deletes a stack (ops/change_sets.py).
    person_only = {"DeleteStack"}
    needed = {
        f"{prefix}:{iam_action.get(operation, operation)}"
        for prefix, operation in ops_calls()
        if operation not in rehearsal_only | person_only and prefix != "route53"
    }
    assert {"lambda:UpdateAlias", "s3:PutObject", "codedeploy:GetDeployment"} <= needed
    assert needed <= granted, needed - granted


# ---- the preview role (docs/previews.md) -------------------------------------------------------


def preview_role():
    role = load_yaml(TEMPLATE)["Resources"].get("PreviewRole")
    if role is None:
        pytest.skip("this project deploys no previews")
    return role


@pytest.fixture(scope="module")
def preview_templates(project, tmp_path_factory) -> list[dict]:
    """A branch's preview as the preview role deploys it: its stack (with its alarms, which
    project.yml may turn on) and its data stack."""
    from stage_packaging import package_with_project

    from ops.previews.naming import stage_for

    stage = stage_for(projects.load(), "feature/role")
    code, output, template = package_with_project(
        tmp_path_factory.mktemp("preview-role"), stage, lambda settings: settings["previews"].update(alarms=True)
    )
    assert code == 0, output
    ops_project = projects.load()
    has_data = (ops_project.root / data.TEMPLATE).is_file()
    return [template, *([data.template(ops_project, stage)] if has_data else [])]


def test_the_preview_role_is_assumed_only_with_the_projects_oidc_token():
    deploy = load_yaml(TEMPLATE)["Resources"]["DeployRole"]
    assert preview_role()["Properties"]["AssumeRolePolicyDocument"] == deploy["Properties"]["AssumeRolePolicyDocument"]


def test_the_preview_role_allows_every_action_the_schemas_list_for_a_preview(preview_templates, regions):
    granted = deploy_role.granted_actions(role_id="PreviewRole")
    verdict = deploy_role.check(preview_templates, granted, deploy_role.exclusions(), regions[:1])
    assert verdict.broken_exclusions == []
    assert verdict.missing == set(), "add these to the PreviewRole of infra/circleci-deploy-role.yml"


def test_the_preview_role_reaches_only_what_is_named_as_a_preview():
    """Each resource it may change is named <service>-<prefix>-*; what it reads of the other
    stacks is their description; API Gateway's ids are held by the deny on stages' tags, and
    DynamoDB's replication role is AWS's to name."""
    preview_role()
    reads_only = {"ReadTheServicesStacks"}
    for statement in policy_statements(preview_role()):
        if statement["Effect"] != "Allow" or statement.get("Sid") in reads_only:
            continue
        for resource in as_list(statement["Resource"]):
            aws_named = "apigateway" in str(resource) or "/AWSServiceRoleForDynamoDBReplication" in str(resource)
            if resource != "*" and not aws_named:
                assert "${ServiceName}-${PreviewPrefix}-" in str(resource), resource
    (read,) = [s for s in policy_statements(preview_role()) if s.get("Sid") in reads_only]
    assert as_list(read["Action"]) == ["cloudformation:DescribeStacks"]


def test_the_preview_role_is_denied_the_http_apis_of_the_stages_of_record():
    denies = [s for s in policy_statements(preview_role()) if s["Effect"] == "Deny"]
    (deny,) = denies
    allowed_writes = {
        a for s in policy_statements(preview_role()) if s.get("Sid") == "HttpApis" for a in as_list(s["Action"])
    } - {"apigateway:GET"}
    assert set(as_list(deny["Action"])) == allowed_writes
    assert deny["Condition"] == {"StringEquals": {"aws:ResourceTag/STAGE": {"Ref": "StagesOfRecord"}}}


def test_the_preview_role_may_create_a_previews_resources_and_none_of_qas_or_productions(project, preview_templates):
    import iam_authorization

    from ops.previews.naming import stage_for

    role_template = load_yaml(TEMPLATE)
    role_template["Parameters"]["ServiceName"]["Default"] = project["service"]
    stage = stage_for(projects.load(), "feature/role")
    stack = f"{project['service']}-{stage}"
    assert iam_authorization.denied_creations(role_template, preview_templates[0], stack, "PreviewRole") == []
    for role in ("qa", "production"):
        name = project["stages"][role]
        template, _ = packaged(name)
        denied = iam_authorization.denied_creations(
            role_template, template, f"{project['service']}-{name}", "PreviewRole"
        )
        creatable = [r for r in template["Resources"].values() if r["Type"] in iam_authorization.CREATE_ACTIONS]
        assert len(denied) == len(creatable), denied


def test_a_preview_and_a_reap_call_nothing_the_preview_role_lacks():
    """What the preview and reap-previews jobs run: ops/previews/, and the deploy, data stack and
    stack lookups it uses."""
    granted = {a.lower() for a in deploy_role.granted_actions(role_id="PreviewRole")}
    files = [
        *(ROOT / "ops" / "previews").glob("*.py"),
        *(ROOT / "ops" / name for name in ("deploy.py", "data.py", "change_sets.py", "aws.py")),
    ]
    # S3's API names differ from its IAM actions; DeleteObjects deletes versions, one by one.
    iam_actions = {
        "ListObjectVersions": ["ListBucketVersions"],
        "DeleteObjects": ["DeleteObject", "DeleteObjectVersion"],
    }
    needed = {
        f"{prefix}:{action}"
        for prefix, operation in ops_calls(files, ("cloudformation", "lambda", "s3", "logs"))
        for action in iam_actions.get(operation, [operation])
    }
    assert {"cloudformation:DeleteStack", "s3:DeleteObjectVersion", "logs:DeleteLogGroup"} <= needed
    assert {a for a in needed if a.lower() not in granted} == set()
