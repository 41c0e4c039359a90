"""Shared by the DNS-layer tests: packaging a stage with a domain, and deploying the Route 53
part of that package to moto the way every region would."""

from __future__ import annotations

import json

import boto3
from stage_packaging import package_with_project

from ops import project as projects

DOMAIN = {"name": "api.example.com", "hostedZoneId": "Z0123456789ABCDEFGHIJ"}


def package_with_domain(tmp_path, stage: str, domain: dict = DOMAIN) -> dict:
    """`sls package` of `stage` in a copy of the project whose project.yml gives it `domain`."""
    code, output, template = package_with_project(
        tmp_path, stage, lambda project: project.update(domains={stage: domain})
    )
    assert code == 0, output
    return template


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
            StackName=projects.load().stack(projects.load().stage("production")),
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
