"""The DNS layer (infra/dns/): with a domain in project.yml, each stage's one package carries a
certificate, a custom domain, a health check on the region's own API and a latency record
that carries it, all taking their region from the stack; without one, none of it. Each
invariant has a mutation that must break it, since cfn-lint misses several of them."""

from __future__ import annotations

import copy
import json

import boto3
import pytest
from conftest import cfn_lint, packaged
from dns_helpers import DOMAIN, deploy_route53_part, package_with_domain

DNS_TYPES = {
    "AWS::CertificateManager::Certificate",
    "AWS::ApiGatewayV2::DomainName",
    "AWS::ApiGatewayV2::ApiMapping",
    "AWS::Route53::HealthCheck",
    "AWS::Route53::RecordSet",
}
# Route 53's own rules that cfn-lint does not check (Route 53 API reference).
ROUTING_POLICIES = (
    "Region",
    "Weight",
    "Failover",
    "GeoLocation",
    "GeoProximityLocation",
    "MultiValueAnswer",
    "CidrRoutingConfig",
)


@pytest.fixture(scope="module")
def with_domain(production_with_domain) -> dict:
    return production_with_domain


def of_type(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def one(template, kind):
    (item,) = of_type(template, kind).values()
    return item


def dns_problems(template: dict) -> list[str]:
    """What breaks one endpoint for every region; empty when nothing does."""
    problems = []
    record = one(template, "AWS::Route53::RecordSet")["Properties"]
    checks = of_type(template, "AWS::Route53::HealthCheck")
    if record.get("Region") != {"Ref": "AWS::Region"}:
        problems.append("the record's region is not the stack's own")
    set_identifier = json.dumps(record.get("SetIdentifier"))
    if "${AWS::Region}" not in set_identifier:
        problems.append("the SetIdentifier does not name the region")
    if not any(policy in record for policy in ROUTING_POLICIES):
        problems.append("a SetIdentifier without a routing policy")
    if record.get("Weight", 0) > 255:
        problems.append("a weight over 255")
    if record.get("HealthCheckId", {}).get("Ref") not in checks:
        problems.append("the record carries no health check of this template")
    if "AliasTarget" in record and "TTL" in record:
        problems.append("a TTL on an alias record")
    for check in checks.values():
        config = check["Properties"]["HealthCheckConfig"]
        if "${AWS::Region}" not in json.dumps(config.get("FullyQualifiedDomainName")):
            problems.append("the health check does not ask this region's own API")
        if config.get("RequestInterval") not in (10, 30) or not 1 <= config.get("FailureThreshold", 3) <= 10:
            problems.append("a health-check interval or threshold Route 53 refuses")
    return problems


# ---- with and without a domain -----------------------------------------------------------------


def test_without_a_domain_the_template_has_no_dns_resource(project):
    for stage in (project["stages"]["qa"], project["stages"]["production"]):
        template, _ = packaged(stage)
        assert {r["Type"] for r in template["Resources"].values()} & DNS_TYPES == set(), stage


def test_with_a_domain_the_template_has_the_whole_dns_layer(with_domain):
    assert {r["Type"] for r in with_domain["Resources"].values()} >= DNS_TYPES
    assert dns_problems(with_domain) == []


def test_with_a_domain_the_template_passes_cfn_lint(with_domain, tmp_path):
    assert cfn_lint(with_domain, tmp_path) == []


def test_the_custom_domain_is_regional_tls_1_2_and_mapped_to_this_api(with_domain):
    domain = one(with_domain, "AWS::ApiGatewayV2::DomainName")["Properties"]
    (configuration,) = domain["DomainNameConfigurations"]
    assert (configuration["EndpointType"], configuration["SecurityPolicy"]) == ("REGIONAL", "TLS_1_2")
    mapping = one(with_domain, "AWS::ApiGatewayV2::ApiMapping")["Properties"]
    assert mapping["ApiId"] == {"Ref": "HttpApi"}
    certificate = one(with_domain, "AWS::CertificateManager::Certificate")["Properties"]
    assert certificate["ValidationMethod"] == "DNS"


def test_the_health_check_asks_the_function_for_its_health_route(with_domain, project):
    config = one(with_domain, "AWS::Route53::HealthCheck")["Properties"]["HealthCheckConfig"]
    assert config["ResourcePath"] == project["health_path"]
    routes = [r["Properties"]["RouteKey"] for r in of_type(with_domain, "AWS::ApiGatewayV2::Route").values()]
    assert f"GET {project['health_path']}" in routes


def test_the_set_identifier_names_the_service_and_the_stage(with_domain, project):
    record = one(with_domain, "AWS::Route53::RecordSet")["Properties"]
    expected = f"{project['service']}-{project['stages']['production']}-${{AWS::Region}}"
    assert record["SetIdentifier"] == {"Fn::Sub": expected}


def test_a_bad_domain_in_project_yml_is_refused_with_a_clear_error(tmp_path, project):
    with pytest.raises(AssertionError, match="must be a lower-case host name"):
        package_with_domain(tmp_path, project["stages"]["production"], {"name": "Not A Domain", "hostedZoneId": "Z1"})


# ---- each invariant catches its breakage ------------------------------------------------------


def mutated(template, change):
    broken = copy.deepcopy(template)
    change(broken)
    return dns_problems(broken)


def record_of(template):
    return one(template, "AWS::Route53::RecordSet")["Properties"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda t: record_of(t).update(Region="us-east-1"), "the record's region is not the stack's own"),
        (lambda t: record_of(t).update(SetIdentifier="prod"), "the SetIdentifier does not name the region"),
        (lambda t: record_of(t).pop("Region"), "a SetIdentifier without a routing policy"),
        (lambda t: record_of(t).update(Weight=300), "a weight over 255"),
        (lambda t: record_of(t).pop("HealthCheckId"), "the record carries no health check of this template"),
        (lambda t: record_of(t).update(TTL="60"), "a TTL on an alias record"),
        (
            lambda t: one(t, "AWS::Route53::HealthCheck")["Properties"]["HealthCheckConfig"].update(
                FullyQualifiedDomainName="abc.execute-api.us-east-1.amazonaws.com"
            ),
            "the health check does not ask this region's own API",
        ),
        (
            lambda t: one(t, "AWS::Route53::HealthCheck")["Properties"]["HealthCheckConfig"].update(RequestInterval=20),
            "a health-check interval or threshold Route 53 refuses",
        ),
    ],
)
def test_each_invariant_fails_when_broken(with_domain, change, problem):
    assert problem in mutated(with_domain, change)


# ---- the Route 53 part, deployed to moto from the same package --------------------------------


def test_one_package_gives_each_region_its_own_latency_record_and_health_check(aws, with_domain, project):
    zone_id = deploy_route53_part(with_domain, project)
    route53 = boto3.client("route53", region_name=project["regions"][0])
    records = [
        r
        for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        if r["Type"] == "A" and r["Name"] == f"{DOMAIN['name']}."
    ]
    assert sorted(r["Region"] for r in records) == sorted(project["regions"])
    for record in records:
        assert record["SetIdentifier"] == f"{project['service']}-{project['stages']['production']}-{record['Region']}"
        check = route53.get_health_check(HealthCheckId=record["HealthCheckId"])["HealthCheck"]["HealthCheckConfig"]
        assert check["FullyQualifiedDomainName"].endswith(f".execute-api.{record['Region']}.amazonaws.com")
        assert check["ResourcePath"] == project["health_path"]
