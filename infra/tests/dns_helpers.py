"""Shared by the DNS-layer tests: packaging a stage with a domain, and deploying the Route 53
part of that package to moto the way every region would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import boto3
import yaml
from conftest import ROOT

DOMAIN = {"name": "api.example.com", "hostedZoneId": "Z0123456789ABCDEFGHIJ"}


def package_with_domain(tmp_path, stage: str, domain: dict = DOMAIN) -> dict:
    """`sls package` of `stage` in a copy of the project whose project.yml gives it `domain`."""
    copy_root = tmp_path / "project"
    copy_root.mkdir()
    for name in ("serverless.yml", "package.json", "infra"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy_root / name)
    project = yaml.safe_load((ROOT / "project.yml").read_text())
    project["domains"] = {stage: domain}
    (copy_root / "project.yml").write_text(yaml.safe_dump(project))
    (copy_root / "node_modules").symlink_to(ROOT / "node_modules")
    (copy_root / "target").symlink_to(ROOT / "target")
    result = subprocess.run(
        ["sls", "package", "--stage", stage, "--region", project["regions"][0], "--package", str(tmp_path / "out")],
        cwd=copy_root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SLS_TELEMETRY_DISABLED": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((tmp_path / "out" / "cloudformation-template-update-stack.json").read_text())


def route53_part(template: dict, zone_id: str) -> dict:
    """The template's Route 53 resources, with what moto skips (the API, the custom domain)
    given as parameters: moto's CloudFormation skips AWS::ApiGatewayV2::* and fails a stack
    that reads an attribute of a skipped resource."""
    text = json.dumps({k: v for k, v in template["Resources"].items() if v["Type"].startswith("AWS::Route53::")})
    text = text.replace(json.dumps(DOMAIN["hostedZoneId"]), json.dumps(zone_id))
    text = text.replace('{"Fn::GetAtt": ["ApiDomainName", "RegionalDomainName"]}', '{"Ref": "RegionalDomainName"}')
    text = text.replace('{"Fn::GetAtt": ["ApiDomainName", "RegionalHostedZoneId"]}', '{"Ref": "RegionalHostedZoneId"}')
    parameters = {name: {"Type": "String"} for name in ("HttpApi", "RegionalDomainName", "RegionalHostedZoneId")}
    return {"Parameters": parameters, "Resources": json.loads(text)}


def deploy_route53_part(template: dict, project: dict) -> str:
    """Deploys the Route 53 part to every region, as the one package would; returns the zone."""
    route53 = boto3.client("route53", region_name=project["regions"][0])
    zone = route53.create_hosted_zone(Name=DOMAIN["name"], CallerReference="rehearsal")["HostedZone"]["Id"]
    zone_id = zone.rsplit("/", 1)[-1]
    for index, region in enumerate(project["regions"]):
        boto3.client("cloudformation", region_name=region).create_stack(
            StackName=f"{project['service']}-{project['stages']['production']}",
            TemplateBody=json.dumps(route53_part(template, zone_id)),
            Parameters=[
                {"ParameterKey": "HttpApi", "ParameterValue": f"api{index}"},
                {
                    "ParameterKey": "RegionalDomainName",
                    "ParameterValue": f"d-{index}.execute-api.{region}.amazonaws.com",
                },
                {"ParameterKey": "RegionalHostedZoneId", "ParameterValue": f"ZREGION{index}"},
            ],
        )
    return zone_id
