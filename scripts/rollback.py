#!/usr/bin/env python3
"""Moves the `live` alias back to a release, in every region, in one step.

    python3 scripts/rollback.py [--stage prod] [--release COMMIT] [--regions R1 R2 ...]

A release is its code, not a version number: Lambda numbers versions in each region on its own,
and the numbers drift apart whenever one region's deploy is retried. So the target is the code
whose CodeSha256 a release's manifest records, found in each region among the versions Lambda
still holds.

- With --release, that commit's manifest is read from each region's release bucket
  (releases/<commit>/dist/<stage>/manifest.json, `make publish`); every region goes to its
  newest version with that CodeSha256.
- Without it, each region goes back to the release before live: its newest version older than
  live whose code differs from live's. Every region must find the same code, or it refuses and
  asks for --release.

Nothing changes anywhere unless every region can roll back: the plan is checked in all regions
first, then applied, then each alias is read back to prove it points where it should.

This is for a release that finished and turned out bad. During a canary shift, CodeDeploy's own
alarms (or `aws deploy stop-deployment`) roll back instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
import yaml
from stacks import NoSuchStack, physical_ids

ALIAS = "live"
RELEASES = "releases"


class RollbackRefused(Exception):
    """A rollback that must not happen; the message says why."""


@dataclass(frozen=True)
class Version:
    number: int
    code_sha256: str


@dataclass(frozen=True)
class Step:
    region: str
    function_name: str
    current: str
    target: str
    code_sha256: str


def published_versions(client, function_name: str) -> list[Version]:
    """Every numbered version of the function with its code's hash, oldest first."""
    versions = []
    for page in client.get_paginator("list_versions_by_function").paginate(FunctionName=function_name):
        versions += [Version(int(v["Version"]), v["CodeSha256"]) for v in page["Versions"] if v["Version"].isdigit()]
    return sorted(versions, key=lambda version: version.number)


def plan(client, region: str, function_name: str, code_sha256: str | None) -> Step:
    """Decides where `live` goes in one region, or refuses."""
    try:
        alias = client.get_alias(FunctionName=function_name, Name=ALIAS)
    except client.exceptions.ResourceNotFoundException as missing:
        raise RollbackRefused(f"{region}: {function_name} has no '{ALIAS}' alias to roll back") from missing
    current = alias["FunctionVersion"]
    versions = published_versions(client, function_name)
    live = next((v for v in versions if str(v.number) == current), None)
    if live is None:
        raise RollbackRefused(f"{region}: '{ALIAS}' serves {current}, not a published version")
    if code_sha256 is None:
        earlier = [v for v in versions if v.number < live.number and v.code_sha256 != live.code_sha256]
        if not earlier:
            raise RollbackRefused(f"{region}: '{ALIAS}' serves version {current} and no earlier release is held")
        return Step(region, function_name, current, str(earlier[-1].number), earlier[-1].code_sha256)
    if live.code_sha256 == code_sha256:
        raise RollbackRefused(f"{region}: '{ALIAS}' already serves that release (version {current})")
    holding = [v for v in versions if v.code_sha256 == code_sha256]
    if not holding:
        raise RollbackRefused(f"{region}: no version of {function_name} holds that release's code ({code_sha256})")
    return Step(region, function_name, current, str(holding[-1].number), code_sha256)


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


def rollback(clients: dict, function_names: dict[str, str], code_sha256: str | None) -> list[Step]:
    """Plans every region, then applies every step. Returns the steps taken."""
    steps = [plan(client, region, function_names[region], code_sha256) for region, client in clients.items()]
    targets = {step.code_sha256 for step in steps}
    if len(targets) > 1:
        found = ", ".join(f"{s.region} {s.code_sha256} (version {s.target})" for s in steps)
        raise RollbackRefused(f"the regions hold different earlier releases ({found}): name one with --release")
    for step in steps:
        apply(clients[step.region], step)
    return steps


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


def release_code(region: str, service: str, stage: str, commit: str) -> str:
    """The CodeSha256 that release `commit`'s manifest for `stage` records, from the region's
    release bucket (the stack <service>-artifacts, infra/artifact-buckets.yml)."""
    cloudformation = boto3.client("cloudformation", region_name=region)
    try:
        (bucket,) = physical_ids(cloudformation, f"{service}-artifacts", "AWS::S3::Bucket")
    except (NoSuchStack, ValueError) as missing:
        raise RollbackRefused(f"{region}: there is no release bucket ({service}-artifacts)") from missing
    key = f"{RELEASES}/{commit}/dist/{stage}/manifest.json"
    s3 = boto3.client("s3", region_name=region)
    try:
        manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey as missing:
        raise RollbackRefused(f"{region}: release {commit} was never published for {stage} (no {key})") from missing
    return manifest["codeSha256"]


def main(argv: list[str] | None = None) -> int:
    project = yaml.safe_load(Path(__file__).resolve().parent.parent.joinpath("project.yml").read_text())
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default=project["stages"]["production"])
    parser.add_argument("--release", help="the commit to go back to (default: the release before live)")
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
        code_sha256 = None
        if args.release:
            codes = {
                region: release_code(region, project["service"], args.stage, args.release) for region in args.regions
            }
            if len(set(codes.values())) > 1:
                raise RollbackRefused(f"the regions' manifests of {args.release} disagree: {codes}")
            code_sha256 = next(iter(codes.values()))
        steps = rollback(clients, function_names, code_sha256)
    except RollbackRefused as refusal:
        print(f"rollback refused, nothing changed: {refusal}", file=sys.stderr)
        return 2
    for step in steps:
        print(
            f"{step.region}: {step.function_name}:{ALIAS} {step.current} -> {step.target} "
            f"(code {step.code_sha256}, checked)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
