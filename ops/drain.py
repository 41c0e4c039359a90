"""Drains one region of a stage's endpoint, or restores it, without a deploy.

    python -m ops drain --region us-east-1 [--stage prod]
    python -m ops restore --region us-east-1 [--stage prod]

Draining inverts the region's Route 53 health check (the stack's AWS::Route53::HealthCheck):
Route 53 then sees the region as unhealthy and sends its latency record's clients to the other
regions. Restoring turns it back. Like the rollback, it plans every region first and prints the
plan, refuses (changing nothing) an unknown region, a stage with no DNS layer, a region already
in the state asked for, and draining the last region still serving; then it applies the change
and reads it back. A deploy of the stage restores every region, since the template's health
check is not inverted.
"""

from __future__ import annotations

from dataclasses import dataclass

from ops import cli
from ops import project as projects
from ops.aws import NoSuchStack, client, physical_ids
from ops.cli import Failed
from ops.cli import Refused as DrainRefused


@dataclass(frozen=True)
class Region:
    name: str
    health_check_id: str
    drained: bool


def health_check_of(cloudformation, region: str, stack: str) -> str:
    """The id of the stack's one Route 53 health check in that region."""
    try:
        checks = physical_ids(cloudformation, stack, "AWS::Route53::HealthCheck")
    except NoSuchStack as missing:
        raise DrainRefused(f"{region}: there is no stack {stack}") from missing
    if len(checks) != 1:
        raise DrainRefused(f"{region}: {stack} has no DNS layer (give the stage a domain in project.yml)")
    return checks[0]


def survey(route53, cloudformation_by_region: dict, stack: str) -> list[Region]:
    regions = []
    for name, cloudformation in cloudformation_by_region.items():
        check_id = health_check_of(cloudformation, name, stack)
        inverted = route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]["Inverted"]
        regions.append(Region(name, check_id, bool(inverted)))
    return regions


def plan(regions: list[Region], action: str, target: str) -> Region:
    """The region to change, or a refusal."""
    by_name = {r.name: r for r in regions}
    if target not in by_name:
        raise DrainRefused(f"{target} is not a region of project.yml ({', '.join(by_name)})")
    region = by_name[target]
    if action == "drain":
        if region.drained:
            raise DrainRefused(f"{target} is drained already")
        if not [r for r in regions if r.name != target and not r.drained]:
            raise DrainRefused(f"{target} is the last region still serving; restore another one first")
    elif not region.drained:
        raise DrainRefused(f"{target} is serving already")
    return region


def apply(route53, region: Region, drain: bool) -> None:
    route53.update_health_check(HealthCheckId=region.health_check_id, Inverted=drain)
    config = route53.get_health_check(HealthCheckId=region.health_check_id)["HealthCheck"]["HealthCheckConfig"]
    if bool(config["Inverted"]) != drain:
        raise Failed(f"{region.name}: the health check reads back as Inverted={config['Inverted']}")


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("drain|restore", __doc__)
    parser.add_argument("action", choices=["drain", "restore"])
    parser.add_argument("--region", required=True)
    cli.stage_option(parser)
    args = parser.parse_args(argv)

    stack = project.stack(project.stage_named(args.stage))
    # Route 53 is global; the stacks that hold each region's health check are regional.
    route53 = client("route53", project.regions[0])
    regions = survey(route53, {r: client("cloudformation", r) for r in project.regions}, stack)
    region = plan(regions, args.action, args.region)
    drain = args.action == "drain"
    print(f"plan for {stack}:")
    for r in regions:
        after = drain if r.name == region.name else r.drained
        print(f"  {r.name}: {'drained' if r.drained else 'serving'} -> {'drained' if after else 'serving'}")
    apply(route53, region, drain)
    print(f"{region.name}: health check {region.health_check_id} {'inverted' if drain else 'restored'} (checked)")
    return 0
