"""`make drain` and `make restore` (ops/drain.py), against moto's Route 53 with the DNS
layer of one package deployed to every region: they plan first, refuse the unsafe cases with
nothing changed, and read back what they changed."""

from __future__ import annotations

import boto3
import pytest
from dns_helpers import deploy_route53_part

from ops import drain
from ops import project as projects
from ops.cli import run


@pytest.fixture(scope="module")
def template(production_with_domain) -> dict:
    return production_with_domain


@pytest.fixture
def deployed(aws, template, project):
    deploy_route53_part(template, project)
    return project


def inverted(project) -> dict[str, bool]:
    route53 = boto3.client("route53", region_name=project["regions"][0])
    stack = projects.load().stack(projects.load().stage("production"))
    result = {}
    for region in project["regions"]:
        cloudformation = boto3.client("cloudformation", region_name=region)
        check = drain.health_check_of(cloudformation, region, stack)
        result[region] = route53.get_health_check(HealthCheckId=check)["HealthCheck"]["HealthCheckConfig"]["Inverted"]
    return result


def test_draining_a_region_inverts_its_health_check_only(deployed, capsys):
    first, second = deployed["regions"]
    assert run(drain.main, ["drain", "--region", first, "--stage", "production"]) == 0
    assert inverted(deployed) == {first: True, second: False}
    out = capsys.readouterr().out
    assert f"{first}: serving -> drained" in out
    assert f"{second}: serving -> serving" in out


def test_restoring_a_drained_region_lets_it_serve_again(deployed):
    first, second = deployed["regions"]
    run(drain.main, ["drain", "--region", first, "--stage", "production"])
    assert run(drain.main, ["restore", "--region", first, "--stage", "production"]) == 0
    assert inverted(deployed) == {first: False, second: False}


def test_draining_the_last_serving_region_is_refused_with_nothing_changed(deployed, capsys):
    first, second = deployed["regions"]
    run(drain.main, ["drain", "--region", first, "--stage", "production"])
    capsys.readouterr()
    assert run(drain.main, ["drain", "--region", second, "--stage", "production"]) == 2
    assert "last region still serving" in capsys.readouterr().err
    assert inverted(deployed) == {first: True, second: False}


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["drain", "--region", "mars-north-1", "--stage", "production"], "is not a region of project.yml"),
        (["restore", "--region", "FIRST", "--stage", "production"], "is serving already"),
        (["drain", "--region", "FIRST", "--stage", "nowhere"], "there is no stack"),
    ],
)
def test_unsafe_or_unknown_requests_are_refused_with_nothing_changed(deployed, capsys, args, complaint):
    args = [deployed["regions"][0] if a == "FIRST" else a for a in args]
    before = inverted(deployed)
    assert run(drain.main, args) == 2
    assert complaint in capsys.readouterr().err
    assert inverted(deployed) == before


def test_a_stage_without_a_dns_layer_is_refused(aws, project, capsys):
    for region in project["regions"]:
        boto3.client("cloudformation", region_name=region).create_stack(
            StackName=projects.load().stack(projects.load().stage("production")),
            TemplateBody='{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}',
        )
    assert run(drain.main, ["drain", "--region", project["regions"][0], "--stage", "production"]) == 2
    assert "has no DNS layer" in capsys.readouterr().err
