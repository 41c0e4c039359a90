"""A stage's data (ops/data.py, infra/data.yml): one global table per stage, created by one
stack in the first region with a replica in every region of project.yml, protected in
production, and put in place before any regional stack."""

from __future__ import annotations

import re

import boto3
import pytest
from conftest import ROOT, lint, live_stacks
from test_serverless_template import as_list, only, statements

from ops import data, deploy
from ops import project as projects
from ops.cli import run

# moto's CloudFormation skips the global table (the rehearsal makes its tables itself), and
# warns each time it does.
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS.*GlobalTable but:UserWarning")
PROJECT = projects.load()
PRODUCTION, QA = PROJECT.stage("production"), PROJECT.stage("qa")
STORE = (ROOT / "handler" / "src" / "dynamodb.rs").read_text()


def table(stage: str) -> dict:
    (resource,) = data.template(PROJECT, stage)["Resources"].values()
    return resource


def rust_const(name: str) -> str:
    return re.search(rf'const {name}: &str = "([^"]+)";', STORE).group(1)


def test_one_global_table_has_a_replica_in_every_region_with_point_in_time_recovery():
    for stage in (QA, PRODUCTION):
        resource = table(stage)
        assert resource["Type"] == "AWS::DynamoDB::GlobalTable"
        replicas = resource["Properties"]["Replicas"]
        assert [replica["Region"] for replica in replicas] == PROJECT.regions
        assert all(r["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True} for r in replicas)
        assert not [r for r in replicas if "KinesisStreamSpecification" in r]


def test_the_table_bills_on_demand_is_encrypted_and_expires_items_by_the_functions_attribute():
    properties = table(PRODUCTION)["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["TimeToLiveSpecification"] == {"AttributeName": rust_const("EXPIRES_AT"), "Enabled": True}
    assert properties["KeySchema"] == [{"AttributeName": rust_const("PK"), "KeyType": "HASH"}]


def test_production_alone_is_protected_from_deletion_and_kept_if_its_stack_goes():
    production, qa = table(PRODUCTION), table(QA)
    assert production["DeletionPolicy"] == "Retain"
    assert all(r["DeletionProtectionEnabled"] for r in production["Properties"]["Replicas"])
    assert qa["DeletionPolicy"] == "Delete"
    assert not any(r["DeletionProtectionEnabled"] for r in qa["Properties"]["Replicas"])


def test_the_rendered_template_passes_cfn_lint(tmp_path):
    for stage in (QA, PRODUCTION):
        path = tmp_path / f"{stage}.json"
        path.write_text(data.stack(PROJECT, stage).body)
        assert lint(path) == []


def test_the_function_reaches_only_its_own_regions_replica_of_its_stages_table(production_template):
    table = PROJECT.table_name(PRODUCTION)
    role = production_template["Resources"]["IamRoleLambdaExecution"]
    on_tables = [s for s in statements(role) if any(a.startswith("dynamodb:") for a in as_list(s["Action"]))]
    assert len(on_tables) == 1
    (resource,) = as_list(on_tables[0]["Resource"])
    assert resource == {
        "Fn::Sub": f"arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/{table}"
    }
    function = only(production_template, "AWS::Lambda::Function")[1]["Properties"]
    assert function["Environment"]["Variables"]["GREETINGS_TABLE"] == table


def test_a_plan_changes_nothing_and_says_what_it_would_add(aws, capsys):
    assert run(data.main, ["--stage", QA]) == 0
    assert "Add GreetingsTable (AWS::DynamoDB::GlobalTable)" in capsys.readouterr().out
    assert live_stacks(PROJECT.regions) == {region: [] for region in PROJECT.regions}


def test_applied_it_is_one_stack_in_the_first_region_and_a_second_run_has_nothing_to_change(aws, capsys):
    assert run(data.main, ["--stage", QA, "--apply"]) == 0
    first, *others = PROJECT.regions
    assert live_stacks(PROJECT.regions) == {first: [PROJECT.data_stack(QA)], **{region: [] for region in others}}
    capsys.readouterr()
    assert run(data.main, ["--stage", QA, "--apply"]) == 0
    assert "nothing to change" in capsys.readouterr().out


def test_a_deploy_puts_the_data_in_place_before_any_region(monkeypatch):
    order = []
    monkeypatch.setattr(deploy, "checked_package", lambda project, stage: order.append("package checked"))
    monkeypatch.setattr(data, "ensure", lambda project, stage, **_: order.append(f"data of {stage}"))
    monkeypatch.setattr(deploy, "deploy", lambda project, region, stage, endpoint: order.append(region))
    assert run(deploy.main, ["--stage", QA]) == 0
    assert order == ["package checked", f"data of {QA}", *PROJECT.regions]


def test_a_deploy_whose_package_is_refused_touches_no_data(monkeypatch, tmp_path):
    touched = []
    monkeypatch.setattr(data, "ensure", lambda project, stage, **_: touched.append(stage))
    assert run(deploy.main, ["--stage", "no-such-stage"]) != 0
    assert touched == []


def test_each_region_alarms_on_its_replicas_throttles_and_shows_the_table_on_its_dashboard(production_template):
    table_name = PROJECT.table_name(PRODUCTION)
    alarm = production_template["Resources"]["GreetingsTableThrottlesAlarm"]["Properties"]
    watched = {
        (m["MetricStat"]["Metric"]["MetricName"], m["MetricStat"]["Metric"]["Dimensions"][0]["Value"])
        for m in alarm["Metrics"]
        if "MetricStat" in m
    }
    assert watched == {("ReadThrottleEvents", table_name), ("WriteThrottleEvents", table_name)}
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    body = production_template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for shown in ("ReadThrottleEvents", "WriteThrottleEvents", "SuccessfulRequestLatency", "ReplicationLatency"):
        assert shown in body, shown
    assert "${GreetingsTableThrottlesAlarm}" in body


def test_an_apply_that_stops_deletes_no_stack_and_leaves_no_change_set(aws, monkeypatch, capsys):
    """CI's deploy role may not delete stacks: a stopped apply leaves the empty stack its plan
    made (which costs nothing) and no change set, and the next plan starts from it. (moto does
    not execute a second change set on such a stack, which CloudFormation does.)"""

    def refused(stack):
        raise RuntimeError("stopped")

    monkeypatch.setattr(data.change_sets, "apply", refused)
    with pytest.raises(RuntimeError):
        data.ensure(PROJECT, QA)
    cloudformation = boto3.client("cloudformation", region_name=PROJECT.regions[0])
    (left,) = cloudformation.describe_stacks(StackName=PROJECT.data_stack(QA))["Stacks"]
    assert left["StackStatus"] == "REVIEW_IN_PROGRESS"
    assert cloudformation.list_change_sets(StackName=PROJECT.data_stack(QA))["Summaries"] == []
    capsys.readouterr()
    assert run(data.main, ["--stage", QA]) == 0
    assert "Add GreetingsTable (AWS::DynamoDB::GlobalTable)" in capsys.readouterr().out
