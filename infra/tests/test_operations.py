"""What someone on call relies on in each compiled stage: the guarded edge (throttling from
project.yml, the access log, reserved concurrency where a stage sets it), the alarms that
catch slow and broken releases (thresholds from project.yml), the dashboard,
and a deployment bucket that is private, versioned and TLS-only."""

from __future__ import annotations

import json

import pytest
from conftest import packaged
from stage_packaging import package_with_project
from test_serverless_template import of_type, only

# What the access log must carry to join a client's report to the function's lines.
ACCESS_LOG_FIELDS = ("requestId", "routeKey", "status", "integrationLatency", "integrationErrorMessage")


def stage_named(project, role: str) -> dict:
    return packaged(project["stages"][role])[0]


def edge_of(project, role: str) -> dict:
    return {**project["edge"]["default"], **project["edge"].get(role, {})}


def stage_alarms(template: dict) -> dict:
    return of_type(template, "AWS::CloudWatch::Alarm")


@pytest.mark.parametrize("role", ["qa", "production"])
def test_the_api_stage_throttles_every_route_as_project_yml_says(project, role):
    _, stage = only(stage_named(project, role), "AWS::ApiGatewayV2::Stage")
    settings = stage["Properties"]["DefaultRouteSettings"]
    edge = edge_of(project, role)
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (edge["rate"], edge["burst"])


@pytest.mark.parametrize("role", ["qa", "production"])
def test_the_api_writes_a_json_access_log_that_joins_up_to_a_log_group_that_expires(project, role):
    template = stage_named(project, role)
    _, stage = only(template, "AWS::ApiGatewayV2::Stage")
    settings = stage["Properties"]["AccessLogSettings"]
    log_format = json.loads(settings["Format"])
    for field in ACCESS_LOG_FIELDS:
        assert log_format[field] == f"$context.{field}", field
    group_id = settings["DestinationArn"]["Fn::GetAtt"][0]
    assert template["Resources"][group_id]["Properties"]["RetentionInDays"] > 0


def test_a_stage_without_reserved_concurrency_says_its_throttle_is_the_guard(project):
    if "reservedConcurrency" in edge_of(project, "production"):
        pytest.skip("production reserves concurrency in project.yml")
    _, function = only(stage_named(project, "production"), "AWS::Lambda::Function")
    assert "ReservedConcurrentExecutions" not in function["Properties"]
    skips = {skip["id"]: skip["comment"] for skip in function["Metadata"]["checkov"]["skip"]}
    assert "throttle" in skips["CKV_AWS_115"]


def test_reserved_concurrency_set_for_a_stage_reaches_its_function(tmp_path, project):
    def reserve(edited):
        edited["edge"]["production"] = {**edited["edge"].get("production", {}), "reservedConcurrency": 25}

    code, output, template = package_with_project(tmp_path, project["stages"]["production"], reserve)
    assert code == 0, output
    _, function = only(template, "AWS::Lambda::Function")
    assert function["Properties"]["ReservedConcurrentExecutions"] == 25
    assert "CKV_AWS_115" not in {skip["id"] for skip in function["Metadata"]["checkov"]["skip"]}


@pytest.mark.parametrize(
    ("edge", "complaint"),
    [
        ({"default": {"rate": 0, "burst": 10}}, "rate must be a positive number"),
        ({"default": {"rate": 5, "burst": 2.5}}, "burst must be a whole number"),
        ({"default": {"rate": 5, "burst": 10, "reservedConcurrency": 0}}, "reservedConcurrency must be a whole number"),
    ],
)
def test_a_bad_edge_setting_is_refused_at_package_time_with_its_place(tmp_path, project, edge, complaint):
    code, output, _ = package_with_project(tmp_path, project["stages"]["qa"], lambda edited: edited.update(edge=edge))
    assert code != 0
    assert complaint in output, output
    assert "project.yml edge.default" in output, output


def test_an_alarm_catches_a_slow_release_by_project_yml_s_threshold(project):
    alarms = stage_alarms(stage_named(project, "production"))
    latency = [a["Properties"] for a in alarms.values() if a["Properties"].get("MetricName") == "Duration"]
    assert len(latency) == 1
    assert latency[0]["ExtendedStatistic"] == "p99"
    assert latency[0]["Threshold"] == project["alarms"]["latencyP99Ms"]
    assert {"Name": "FunctionName", "Value": {"Ref": "HelloLambdaFunction"}} in latency[0]["Dimensions"]


def test_an_alarm_catches_a_release_that_breaks_routes_into_client_errors(project):
    alarms = stage_alarms(stage_named(project, "production"))
    math = [
        a["Properties"]
        for a in alarms.values()
        if any(
            m.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "4xx"
            for m in a["Properties"].get("Metrics", [])
        )
    ]
    assert len(math) == 1
    metrics = {m["Id"]: m for m in math[0]["Metrics"]}
    names = {m["MetricStat"]["Metric"]["MetricName"] for m in metrics.values() if "MetricStat" in m}
    assert names == {"4xx", "Count"}
    (rate,) = [m for m in metrics.values() if m.get("ReturnData")]
    assert str(project["alarms"]["clientErrorMinRequests"]) in rate["Expression"]
    assert "100 *" in rate["Expression"]
    assert math[0]["Threshold"] == project["alarms"]["clientErrorRatePercent"]


@pytest.mark.parametrize("role", ["qa", "production"])
def test_each_stage_has_a_dashboard_per_region_with_its_url_as_an_output(project, role):
    template = stage_named(project, role)
    dashboard_id, dashboard = only(template, "AWS::CloudWatch::Dashboard")
    assert "${AWS::Region}" in dashboard["Properties"]["DashboardName"]["Fn::Sub"]
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body)["widgets"]
    shown = json.dumps(widgets)
    for metric in ('"Count"', '"5xx"', '"Errors"', '"Throttles"', '"p50"', '"p99"', '"ColdStart"'):
        assert metric in shown, metric
    shown_alarms = [alarm for w in widgets if w["type"] == "alarm" for alarm in w["properties"]["alarms"]]
    for ref in stage_alarms(template):
        assert any(ref in alarm for alarm in shown_alarms), ref
    assert dashboard_id in template["Outputs"]["DashboardUrl"]["Value"]["Fn::Sub"]


@pytest.mark.parametrize("role", ["qa", "production"])
def test_the_deployment_bucket_is_private_versioned_and_tls_only(project, role):
    template = stage_named(project, role)
    bucket = template["Resources"]["ServerlessDeploymentBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    policy = template["Resources"]["ServerlessDeploymentBucketPolicy"]["Properties"]["PolicyDocument"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": False}}
        for s in policy["Statement"]
    )
