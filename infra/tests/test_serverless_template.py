"""The CloudFormation that `sls package` generates for production, checked offline: the
function, the HTTP API and least privilege (the canary's release wiring: test_canary.py)."""

from __future__ import annotations

import json

import pytest
from conftest import lint, packaged

from ops import project as projects


def of_type(template: dict, kind: str) -> dict:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def only(template: dict, kind: str) -> tuple[str, dict]:
    found = of_type(template, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


def mentions(value, needle) -> bool:
    """Whether `needle` (a string, or a JSON value such as {"Ref": id}) occurs inside `value`."""
    return (needle if isinstance(needle, str) else json.dumps(needle)) in json.dumps(value)


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


# ---- least privilege -----------------------------------------------------------------------


def test_the_function_may_only_write_its_own_logs_and_trace_segments_and_its_tables_items(production_template):
    role = production_template["Resources"]["IamRoleLambdaExecution"]
    actions = {a for s in statements(role) for a in as_list(s["Action"])}
    logs = {"logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource", "logs:PutLogEvents"}
    items = {"dynamodb:GetItem", "dynamodb:PutItem"}
    assert actions <= logs | {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} | items


def test_no_regional_stack_declares_a_table(production_template):
    """The global table has one stack of its own (ops.data), which creates its replicas."""
    assert not [r for r in production_template["Resources"].values() if r["Type"].startswith("AWS::DynamoDB::")]


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
    template = projects.template_of(projects.load().package_dir(stage_name))
    assert lint(template) == []


def test_every_stage_ci_deploys_is_packaged_from_the_one_zip(project):
    manifests = [packaged(project["stages"][stage])[1] for stage in ("qa", "production")]
    assert len({m["codeSha256"] for m in manifests}) == 1
    assert len({m["gitCommit"] for m in manifests}) == 1
