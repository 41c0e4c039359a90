"""The canary (infra/canary.yml): CodeDeploy shifts the live alias the API invokes, watching the
stage's alarms, and rolls a release back by itself. A fork that releases all at once deletes
this file with infra/canary.yml (README, "What a fork can delete")."""

from __future__ import annotations

import copy
import json
import subprocess

from conftest import ROOT, packaged
from test_serverless_template import as_list, mentions, of_type, only, statements

from ops import project as projects


def watched_alarms(template: dict) -> dict:
    _, group = only(template, "AWS::CodeDeploy::DeploymentGroup")
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    return {ref: alarms[ref] for ref in (a["Name"]["Ref"] for a in group["Properties"]["AlarmConfiguration"]["Alarms"])}


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
        and {"Name": "FunctionName", "Value": {"Ref": function_id}} in alarms[ref]["Properties"].get("Dimensions", [])
        and not any(d["Name"] == "Resource" for d in alarms[ref]["Properties"].get("Dimensions", []))
    ]
    if not any(alarms[ref]["Properties"]["MetricName"] == "Errors" for ref in tied):
        problems.append("no watched alarm counts the errors of every invocation of the function")
    return problems


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


def test_the_check_fails_when_the_errors_alarm_watches_one_alias_only(production_template):
    template = copy.deepcopy(production_template)
    for alarm in of_type(template, "AWS::CloudWatch::Alarm").values():
        dimensions = alarm["Properties"].get("Dimensions", [])
        if any(d["Name"] == "FunctionName" for d in dimensions):
            dimensions.append({"Name": "Resource", "Value": {"Fn::Sub": "${HelloLambdaFunction}:old"}})
    assert "no watched alarm counts the errors of every invocation of the function" in release_wiring_problems(template)


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
            projects.load().stage("production"),
            "--region",
            projects.load().regions[0],
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
    template = json.loads(projects.template_of(tmp_path).read_text())
    assert release_wiring_problems(template) == []
    _, group = only(template, "AWS::CodeDeploy::DeploymentGroup")
    assert mentions(group["Properties"]["DeploymentConfigName"], "AllAtOnce")


def on_a_table(alarm: dict) -> bool:
    properties = alarm["Properties"]
    namespaces = {properties["Namespace"]} if "Namespace" in properties else set()
    namespaces |= {m["MetricStat"]["Metric"]["Namespace"] for m in properties.get("Metrics", []) if "MetricStat" in m}
    return namespaces == {"AWS/DynamoDB"}


def unwatched_alarms(template: dict) -> set[str]:
    """The stage's alarms that the canary's deployment group does not watch: a release that
    sets one of them off would still be shifted to all traffic. A table's alarms are left out:
    moving the alias back does not unthrottle a table, and what the client sees of it (503s)
    is the API's 5xx alarm, which is watched (docs/data.md)."""
    alarms = of_type(template, "AWS::CloudWatch::Alarm")
    return {ref for ref, alarm in alarms.items() if not on_a_table(alarm)} - set(watched_alarms(template))


def test_the_canary_watches_every_alarm_of_the_stage_but_the_tables(production_template):
    """infra/canary.yml lists the alarms serverless.yml defines; an alarm added to one and not
    the other fails here."""
    assert unwatched_alarms(production_template) == set()


def test_the_check_finds_an_alarm_the_canary_does_not_watch(production_template):
    template = copy.deepcopy(production_template)
    template["Resources"]["AnotherAlarm"] = copy.deepcopy(template["Resources"]["HelloErrorsAlarm"])
    assert unwatched_alarms(template) == {"AnotherAlarm"}


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


def test_codedeploy_may_read_every_alarm_it_watches(production_template):
    template = production_template
    role = template["Resources"]["CodeDeployServiceRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    readable = json.dumps([s["Resource"] for s in role["Statement"] if "cloudwatch:DescribeAlarms" in s["Action"]])
    for ref in watched_alarms(template):
        assert "${" + ref + "}" in readable, ref


def test_the_rehearsal_stages_leave_traffic_shifting_out(project):
    for stage in project["stages"]["rehearsal"].values():
        template, _ = packaged(stage)
        assert of_type(template, "AWS::Lambda::Alias") == {}
        assert of_type(template, "AWS::CodeDeploy::DeploymentGroup") == {}


def test_qa_releases_with_the_same_wiring_as_production(project):
    template, _ = packaged(project["stages"]["qa"])
    assert release_wiring_problems(template) == []


def test_the_ops_code_reads_the_alias_the_api_invokes(production_template):
    (alias,) = of_type(production_template, "AWS::Lambda::Alias").values()
    assert alias["Properties"]["Name"] == projects.load().alias


def test_the_rehearsal_stages_are_the_only_ones_without_traffic_shifting(project):
    canary = projects.load().file_variable("${file(./infra/canary.yml):custom}")
    shifted = canary["deploymentSettings"]["stages"]
    for stage in ("default", "qa", "production"):
        assert f"${{file(./project.yml):stages.{stage}}}" in shifted
    assert not any("rehearsal" in entry for entry in shifted)
    ordinary = {project["stages"][stage] for stage in ("default", "qa", "production")}
    assert not ordinary & set(project["stages"]["rehearsal"].values())
