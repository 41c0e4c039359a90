"""The CloudFormation that `sls package` generates for production, checked offline: the
function, the HTTP API, the release wiring (alias, CodeDeploy, alarms) and least privilege."""

from __future__ import annotations

import copy
import json
import subprocess

import pytest
from conftest import ROOT, packaged


def of_type(template: dict, kind: str) -> dict:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def only(template: dict, kind: str) -> tuple[str, dict]:
    found = of_type(template, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


def mentions(value, needle) -> bool:
    """Whether `needle` (a string, or a JSON value such as {"Ref": id}) occurs inside `value`."""
    return (needle if isinstance(needle, str) else json.dumps(needle)) in json.dumps(value)


def release_wiring_problems(template: dict) -> list[str]:
    """What stops a bad release from rolling back by itself; empty when nothing does."""
    problems = []
    function_id, _ = only(template, "AWS::Lambda::Function")
    aliases = of_type(template, "AWS::Lambda::Alias")
    if len(aliases) != 1:
        return [f"expected one alias, found {sorted(aliases)}"]
    alias_id, alias = next(iter(aliases.items()))
    version_id, _ = only(template, "AWS::Lambda::Version")
    if alias["Properties"].get("FunctionVersion") != {"Fn::GetAtt": [version_id, "Version"]}:
        problems.append("the alias does not point at the version this package publishes")

    for integration_id, integration in of_type(template, "AWS::ApiGatewayV2::Integration").items():
        if not mentions(integration["Properties"]["IntegrationUri"], {"Ref": alias_id}):
            problems.append(f"{integration_id} invokes the function, not its alias")
    for permission_id, permission in of_type(template, "AWS::Lambda::Permission").items():
        if permission["Properties"]["FunctionName"] != {"Ref": alias_id}:
            problems.append(f"{permission_id} lets API Gateway invoke something other than the alias")

    update = alias.get("UpdatePolicy", {}).get("CodeDeployLambdaAliasUpdate")
    groups = of_type(template, "AWS::CodeDeploy::DeploymentGroup")
    if not update or len(groups) != 1:
        return [*problems, "the alias is not moved by a CodeDeploy deployment group"]
    group_id, group = next(iter(groups.items()))
    if update["DeploymentGroupName"] != {"Ref": group_id}:
        problems.append("the alias update names another deployment group")
    rollback = group["Properties"].get("AutoRollbackConfiguration", {})
    if not rollback.get("Enabled") or "DEPLOYMENT_STOP_ON_ALARM" not in rollback.get("Events", []):
        problems.append("the deployment group does not roll back on alarm")
    alarm_config = group["Properties"].get("AlarmConfiguration", {})
    alarm_refs = [alarm["Name"].get("Ref") for alarm in alarm_config.get("Alarms", [])]
    if not alarm_config.get("Enabled") or not alarm_refs:
        problems.append("the deployment group watches no alarm")
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    for ref in alarm_refs:
        if ref not in alarms:
            problems.append(f"the deployment group watches {ref}, which the template does not define")
    tied = [
        ref
        for ref in alarm_refs
        if ref in alarms
        and {"Name": "Resource", "Value": {"Fn::Sub": f"${{{function_id}}}:{alias['Properties']['Name']}"}}
        in alarms[ref]["Properties"].get("Dimensions", [])
    ]
    if not any(alarms[ref]["Properties"]["MetricName"] == "Errors" for ref in tied):
        problems.append("no watched alarm counts the errors of the alias")
    return problems


def statements(role: dict) -> list[dict]:
    return [s for policy in role["Properties"].get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# ---- the function and its API -------------------------------------------------------------


# API Gateway gives up on an integration after 29 s by default, and an HTTP API after 30 s at
# most: a function allowed longer would keep running for a client that has already had a 503.
API_GATEWAY_INTEGRATION_LIMIT_S = 29


def test_the_function_is_a_custom_runtime_bootstrap(production_template):
    _, function = only(production_template, "AWS::Lambda::Function")
    assert function["Properties"]["Runtime"].startswith("provided.")
    assert function["Properties"]["Handler"] == "bootstrap"


def test_the_function_gives_up_before_api_gateway_does(production_template):
    _, function = only(production_template, "AWS::Lambda::Function")
    assert function["Properties"]["Timeout"] < API_GATEWAY_INTEGRATION_LIMIT_S
    for integration in of_type(production_template, "AWS::ApiGatewayV2::Integration").values():
        assert function["Properties"]["Timeout"] * 1000 < integration["Properties"]["TimeoutInMillis"]


def test_the_memory_size_is_one_lambda_accepts(production_template):
    _, function = only(production_template, "AWS::Lambda::Function")
    assert 128 <= function["Properties"]["MemorySize"] <= 10240


def test_every_log_group_expires(production_template):
    log_groups = of_type(production_template, "AWS::Logs::LogGroup")
    assert log_groups
    for log_group in log_groups.values():
        assert log_group["Properties"]["RetentionInDays"] > 0


def test_the_http_api_owns_cors_for_every_method_it_routes(production_template):
    """API Gateway answers preflights and adds the CORS headers (docs/contract.md, "CORS"); a method it
    routes but does not allow would reach the function and be unreadable in a browser."""
    _, api = only(production_template, "AWS::ApiGatewayV2::Api")
    cors = api["Properties"]["CorsConfiguration"]
    assert cors["AllowOrigins"]
    allowed = set(cors["AllowMethods"])
    for route in of_type(production_template, "AWS::ApiGatewayV2::Route").values():
        method = route["Properties"]["RouteKey"].split(" ")[0]
        wanted = {"GET", "POST"} if method in ("ANY", "$default") else {method}
        assert "*" in allowed or wanted <= allowed, route["Properties"]["RouteKey"]


def test_the_published_version_is_the_packaged_zip(production):
    template, manifest = production
    _, version = only(template, "AWS::Lambda::Version")
    assert version["Properties"]["CodeSha256"] == manifest["codeSha256"]


# ---- the release wiring --------------------------------------------------------------------


def test_production_releases_through_an_alias_shifted_by_codedeploy_with_alarm_rollback(production_template):
    assert release_wiring_problems(production_template) == []


def test_production_shifts_traffic_as_a_canary(production_template):
    _, group = only(production_template, "AWS::CodeDeploy::DeploymentGroup")
    config = group["Properties"]["DeploymentConfigName"]
    assert mentions(config, "Canary10Percent5Minutes"), config


def test_the_check_fails_when_the_alarms_are_unwired(production_template):
    template = copy.deepcopy(production_template)
    _, group = only(template, "AWS::CodeDeploy::DeploymentGroup")
    del group["Properties"]["AlarmConfiguration"]
    assert "the deployment group watches no alarm" in release_wiring_problems(template)


def test_the_check_fails_when_an_alarm_is_not_tied_to_the_alias(production_template):
    template = copy.deepcopy(production_template)
    for alarm in of_type(template, "AWS::CloudWatch::Alarm").values():
        dimensions = alarm["Properties"].get("Dimensions", [])
        alarm["Properties"]["Dimensions"] = [d for d in dimensions if d["Name"] != "Resource"]
    assert "no watched alarm counts the errors of the alias" in release_wiring_problems(template)


def test_the_check_fails_when_the_api_invokes_latest(production_template):
    template = copy.deepcopy(production_template)
    function_id, _ = only(template, "AWS::Lambda::Function")
    alias_id, _ = only(template, "AWS::Lambda::Alias")
    integration_id, integration = only(template, "AWS::ApiGatewayV2::Integration")
    integration["Properties"]["IntegrationUri"] = json.loads(
        json.dumps(integration["Properties"]["IntegrationUri"]).replace(
            json.dumps({"Ref": alias_id}), json.dumps({"Fn::GetAtt": [function_id, "Arn"]})
        )
    )
    assert f"{integration_id} invokes the function, not its alias" in release_wiring_problems(template)


def test_the_check_fails_without_automatic_rollback(production_template):
    template = copy.deepcopy(production_template)
    _, group = only(template, "AWS::CodeDeploy::DeploymentGroup")
    group["Properties"]["AutoRollbackConfiguration"]["Enabled"] = False
    assert "the deployment group does not roll back on alarm" in release_wiring_problems(template)


def test_blue_green_is_the_same_wiring_shifted_all_at_once(tmp_path):
    """`make package RELEASE=blue-green` packages the same template with an all-at-once shift."""
    result = subprocess.run(
        [
            "sls",
            "package",
            "--stage",
            "prod",
            "--region",
            "us-east-1",
            "--package",
            str(tmp_path),
            "--param",
            "trafficShift=AllAtOnce",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    template = json.loads((tmp_path / "cloudformation-template-update-stack.json").read_text())
    assert release_wiring_problems(template) == []
    _, group = only(template, "AWS::CodeDeploy::DeploymentGroup")
    assert mentions(group["Properties"]["DeploymentConfigName"], "AllAtOnce")


# ---- least privilege -----------------------------------------------------------------------


def test_codedeploy_gets_only_what_shifting_the_alias_needs(production_template):
    role_id, role = next(
        (k, v)
        for k, v in of_type(production_template, "AWS::IAM::Role").items()
        if mentions(v["Properties"]["AssumeRolePolicyDocument"], "codedeploy.amazonaws.com")
    )
    assert "ManagedPolicyArns" not in role["Properties"], f"{role_id} has managed policies"
    actions = {a for s in statements(role) for a in as_list(s["Action"])}
    assert actions == {
        "lambda:GetAlias",
        "lambda:UpdateAlias",
        "lambda:GetProvisionedConcurrencyConfig",
        "cloudwatch:DescribeAlarms",
    }
    assert all(s["Resource"] != "*" for s in statements(role))


def test_the_function_may_only_write_its_own_logs_and_trace_segments(production_template):
    role = production_template["Resources"]["IamRoleLambdaExecution"]
    actions = {a for s in statements(role) for a in as_list(s["Action"])}
    logs = {"logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource", "logs:PutLogEvents"}
    assert actions <= logs | {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_the_function_is_actively_traced_writes_json_logs_and_names_its_metrics(production_template, project):
    function = only(production_template, "AWS::Lambda::Function")[1]["Properties"]
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["LoggingConfig"]["LogFormat"] == "JSON"
    environment = function["Environment"]["Variables"]
    assert environment["METRICS_NAMESPACE"] == project["metrics_namespace"]
    assert environment["SERVICE_NAME"] == project["service"]


def test_no_role_anywhere_grants_a_wildcard_action_or_full_access(production_template, root):
    text = json.dumps(production_template)
    assert "FullAccess" not in text
    for template_path in (root / "infra").glob("*.yml"):
        assert "FullAccess" not in template_path.read_text()
    for role in of_type(production_template, "AWS::IAM::Role").values():
        for statement in statements(role):
            assert not any("*" in action for action in as_list(statement["Action"])), statement


# ---- linting -------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["production", "qa", "rehearsal.qa", "rehearsal.production"])
def test_the_generated_templates_pass_cfn_lint(project, stage):
    stage_name = project["stages"]
    for key in stage.split("."):
        stage_name = stage_name[key]
    packaged(stage_name)
    template = ROOT / "dist" / stage_name / "cloudformation-template-update-stack.json"
    result = subprocess.run(["cfn-lint", str(template)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_the_rehearsal_stages_leave_traffic_shifting_out(project):
    for stage in project["stages"]["rehearsal"].values():
        template, _ = packaged(stage)
        assert of_type(template, "AWS::Lambda::Alias") == {}
        assert of_type(template, "AWS::CodeDeploy::DeploymentGroup") == {}


def test_qa_releases_with_the_same_wiring_as_production(project):
    template, _ = packaged(project["stages"]["qa"])
    assert release_wiring_problems(template) == []


def test_every_stage_ci_deploys_is_packaged_from_the_one_zip(project):
    manifests = [packaged(project["stages"][stage])[1] for stage in ("qa", "production")]
    assert len({m["codeSha256"] for m in manifests}) == 1
    assert len({m["gitCommit"] for m in manifests}) == 1
