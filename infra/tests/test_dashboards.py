"""ops/dashboards.py prints each region's dashboard from its stack's outputs (moto), and
names the regions where the stage has none."""

from __future__ import annotations

import json

import boto3

from ops import dashboards
from ops import project as projects
from ops.cli import run


def deploy_stack_with_dashboard_output(region: str, stack: str) -> str:
    url = f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name={stack}-{region}"
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"DashboardUrl": {"Value": url}},
    }
    boto3.client("cloudformation", region_name=region).create_stack(StackName=stack, TemplateBody=json.dumps(template))
    return url


def test_every_regions_dashboard_is_printed(aws, project, capsys):
    stack = projects.load().stack(projects.load().stage("production"))
    urls = [deploy_stack_with_dashboard_output(region, stack) for region in project["regions"]]
    assert run(dashboards.main, ["--stage", "production"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{r}: {u}" for r, u in zip(project["regions"], urls, strict=True)]


def test_a_region_without_the_stage_is_named_and_fails(aws, project, capsys):
    stack = projects.load().stack(projects.load().stage("production"))
    deploy_stack_with_dashboard_output(project["regions"][0], stack)
    assert run(dashboards.main, ["--stage", "production"]) == 1
    assert f"{project['regions'][-1]}: {stack} has no dashboard there" in capsys.readouterr().err
