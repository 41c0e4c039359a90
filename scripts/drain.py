#!/usr/bin/env python3
"""Drains one region of a stage's endpoint, or restores it, without a deploy.

    python3 scripts/drain.py drain --region us-east-1 [--stage prod]
    python3 scripts/drain.py restore --region us-east-1 [--stage prod]

Draining inverts the region's Route 53 health check (the stack's AWS::Route53::HealthCheck):
Route 53 then sees the region as unhealthy and sends its latency record's clients to the other
regions. Restoring turns it back. Like the rollback, it plans every region first and prints the
plan, refuses (changing nothing) an unknown region, a stage with no DNS layer, a region already
in the state asked for, and draining the last region still serving; then it applies the change
and reads it back. A deploy of the stage restores every region, since the template's health
check is not inverted.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
import yaml
from stacks import NoSuchStack, physical_ids

PROJECT = Path(__file__).resolve().parents[1] / "project.yml"


class DrainRefused(Exception):
    """A change that must not happen; the message says why."""


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
        raise RuntimeError(f"{region.name}: the health check reads back as Inverted={config['Inverted']}")


def main(argv: list[str] | None = None) -> int:
    project = yaml.safe_load(PROJECT.read_text())
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["drain", "restore"])
    parser.add_argument("--region", required=True)
    parser.add_argument("--stage", default=project["stages"]["production"])
    args = parser.parse_args(argv)

    stack = f"{project['service']}-{args.stage}"
    # Route 53 is global; the stacks that hold each region's health check are regional.
    route53 = boto3.client("route53", region_name=project["regions"][0])
    cloudformation = {r: boto3.client("cloudformation", region_name=r) for r in project["regions"]}
    try:
        regions = survey(route53, cloudformation, stack)
        region = plan(regions, args.action, args.region)
    except DrainRefused as refusal:
        print(f"{args.action} refused, nothing changed: {refusal}", file=sys.stderr)
        return 2
    drain = args.action == "drain"
    print(f"plan for {stack}:")
    for r in regions:
        after = drain if r.name == region.name else r.drained
        print(f"  {r.name}: {'drained' if r.drained else 'serving'} -> {'drained' if after else 'serving'}")
    apply(route53, region, drain)
    print(f"{region.name}: health check {region.health_check_id} {'inverted' if drain else 'restored'} (checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
