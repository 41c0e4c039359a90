#!/usr/bin/env python3
"""Moves the `live` alias back, in every region, in one step.

    python3 scripts/rollback.py [--stage prod] [--to VERSION] [--regions R1 R2 ...]

Without --to, each region goes back to the highest published version below the one `live`
serves now. With --to, every region goes to that version. Nothing changes anywhere unless every
region can roll back: the plan is checked in all regions first, then applied, then each alias
is read back to prove it points where it should.

This is for a release that finished and turned out bad. During a canary shift, CodeDeploy's
own alarms (or `aws deploy stop-deployment`) roll back instead.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
import yaml
from stacks import NoSuchStack, physical_ids

ALIAS = "live"


class RollbackRefused(Exception):
    """A rollback that must not happen; the message says why."""


@dataclass(frozen=True)
class Step:
    region: str
    function_name: str
    current: str
    target: str


def published_versions(client, function_name: str) -> list[int]:
    versions = []
    for page in client.get_paginator("list_versions_by_function").paginate(FunctionName=function_name):
        versions += [int(v["Version"]) for v in page["Versions"] if v["Version"].isdigit()]
    return sorted(versions)


def plan(client, region: str, function_name: str, to: str | None) -> Step:
    """Decides where `live` goes in one region, or refuses."""
    try:
        alias = client.get_alias(FunctionName=function_name, Name=ALIAS)
    except client.exceptions.ResourceNotFoundException as missing:
        raise RollbackRefused(f"{region}: {function_name} has no '{ALIAS}' alias to roll back") from missing
    current = alias["FunctionVersion"]
    versions = published_versions(client, function_name)
    if to is None:
        earlier = [v for v in versions if current.isdigit() and v < int(current)]
        if not earlier:
            raise RollbackRefused(
                f"{region}: '{ALIAS}' serves version {current} and there is no earlier version to go back to"
            )
        return Step(region, function_name, current, str(earlier[-1]))
    if not to.isdigit():
        raise RollbackRefused(f"--to must be a published version number, not '{to}'")
    if int(to) not in versions:
        raise RollbackRefused(
            f"{region}: {function_name} has no version {to} (published: {', '.join(map(str, versions)) or 'none'})"
        )
    if to == current:
        raise RollbackRefused(f"{region}: '{ALIAS}' already serves version {to}")
    return Step(region, function_name, current, to)


def apply(client, step: Step) -> None:
    """Points the alias at the target, with no traffic left on any other version, and checks."""
    client.update_alias(
        FunctionName=step.function_name,
        Name=ALIAS,
        FunctionVersion=step.target,
        RoutingConfig={"AdditionalVersionWeights": {}},
    )
    alias = client.get_alias(FunctionName=step.function_name, Name=ALIAS)
    weights = alias.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})
    if alias["FunctionVersion"] != step.target or weights:
        raise RuntimeError(
            f"{step.region}: '{ALIAS}' reads back as version {alias['FunctionVersion']} "
            f"with weights {weights}, not version {step.target}"
        )


def stack_function(cloudformation, region: str, stack: str) -> str:
    """The name of the stack's one Lambda function: the deployed template says which, so a
    renamed function needs no change here."""
    try:
        functions = physical_ids(cloudformation, stack, "AWS::Lambda::Function")
    except NoSuchStack as missing:
        raise RollbackRefused(f"{region}: there is no stack {stack} to roll back") from missing
    if len(functions) != 1:
        raise RollbackRefused(f"{region}: {stack} has {len(functions)} Lambda functions, not one")
    return functions[0]


def rollback(clients: dict, function_names: dict[str, str], to: str | None) -> list[Step]:
    """Plans every region, then applies every step. Returns the steps taken."""
    steps = [plan(client, region, function_names[region], to) for region, client in clients.items()]
    for step in steps:
        apply(clients[step.region], step)
    return steps


def main(argv: list[str] | None = None) -> int:
    project = yaml.safe_load(Path(__file__).resolve().parent.parent.joinpath("project.yml").read_text())
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default=project["stages"]["production"])
    parser.add_argument("--to", help="the version to go back to (default: the one before live)")
    parser.add_argument("--regions", nargs="+", default=project["regions"])
    args = parser.parse_args(argv)

    # The stack name is osls's: <service>-<stage>.
    stack = f"{project['service']}-{args.stage}"
    clients = {region: boto3.client("lambda", region_name=region) for region in args.regions}
    try:
        function_names = {
            region: stack_function(boto3.client("cloudformation", region_name=region), region, stack)
            for region in args.regions
        }
        steps = rollback(clients, function_names, args.to)
    except RollbackRefused as refusal:
        print(f"rollback refused, nothing changed: {refusal}", file=sys.stderr)
        return 2
    for step in steps:
        print(f"{step.region}: {step.function_name}:{ALIAS} {step.current} -> {step.target} (checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
