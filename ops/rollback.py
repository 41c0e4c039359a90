"""Moves the `live` alias back to a release, in every region, in one step.

    python -m ops rollback [--stage prod] [--release COMMIT] [--regions R1 R2 ...]

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

from dataclasses import dataclass

from ops import cli
from ops import project as projects
from ops.artifacts import Manifest
from ops.aws import client, release_bucket, stack_function
from ops.cli import Failed
from ops.cli import Refused as RollbackRefused


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


def published_versions(lambda_client, function_name: str) -> list[Version]:
    """Every numbered version of the function with its code's hash, oldest first."""
    versions = []
    for page in lambda_client.get_paginator("list_versions_by_function").paginate(FunctionName=function_name):
        versions += [Version(int(v["Version"]), v["CodeSha256"]) for v in page["Versions"] if v["Version"].isdigit()]
    return sorted(versions, key=lambda version: version.number)


def plan(lambda_client, region: str, function_name: str, code_sha256: str | None, alias_name: str) -> Step:
    """Decides where `live` goes in one region, or refuses."""
    try:
        alias = lambda_client.get_alias(FunctionName=function_name, Name=alias_name)
    except lambda_client.exceptions.ResourceNotFoundException as missing:
        raise RollbackRefused(f"{region}: {function_name} has no '{alias_name}' alias to roll back") from missing
    current = alias["FunctionVersion"]
    versions = published_versions(lambda_client, function_name)
    live = next((v for v in versions if str(v.number) == current), None)
    if live is None:
        raise RollbackRefused(f"{region}: '{alias_name}' serves {current}, not a published version")
    if code_sha256 is None:
        earlier = [v for v in versions if v.number < live.number and v.code_sha256 != live.code_sha256]
        if not earlier:
            raise RollbackRefused(f"{region}: '{alias_name}' serves version {current} and no earlier release is held")
        return Step(region, function_name, current, str(earlier[-1].number), earlier[-1].code_sha256)
    if live.code_sha256 == code_sha256:
        raise RollbackRefused(f"{region}: '{alias_name}' already serves that release (version {current})")
    holding = [v for v in versions if v.code_sha256 == code_sha256]
    if not holding:
        raise RollbackRefused(f"{region}: no version of {function_name} holds that release's code ({code_sha256})")
    return Step(region, function_name, current, str(holding[-1].number), code_sha256)


def apply(lambda_client, step: Step, alias_name: str) -> None:
    """Points the alias at the target, with no traffic left on any other version, and checks."""
    lambda_client.update_alias(
        FunctionName=step.function_name,
        Name=alias_name,
        FunctionVersion=step.target,
        RoutingConfig={"AdditionalVersionWeights": {}},
    )
    alias = lambda_client.get_alias(FunctionName=step.function_name, Name=alias_name)
    weights = alias.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})
    if alias["FunctionVersion"] != step.target or weights:
        raise Failed(
            f"{step.region}: '{alias_name}' reads back as version {alias['FunctionVersion']} "
            f"with weights {weights}, not version {step.target}"
        )


def rollback(clients: dict, function_names: dict[str, str], code_sha256: str | None, alias_name: str) -> list[Step]:
    """Plans every region, then applies every step. Returns the steps taken."""
    steps = [
        plan(lambda_client, region, function_names[region], code_sha256, alias_name)
        for region, lambda_client in clients.items()
    ]
    targets = {step.code_sha256 for step in steps}
    if len(targets) > 1:
        found = ", ".join(f"{s.region} {s.code_sha256} (version {s.target})" for s in steps)
        raise RollbackRefused(f"the regions hold different earlier releases ({found}): name one with --release")
    for step in steps:
        apply(clients[step.region], step, alias_name)
    return steps


def release_code(project, region: str, stage: str, commit: str) -> str:
    """The CodeSha256 that release `commit`'s manifest for `stage` records, from the region's
    release bucket (infra/artifact-buckets.yml)."""
    bucket = release_bucket(project, region)
    key = project.release_manifest_key(commit, stage)
    s3 = client("s3", region)
    try:
        return Manifest.parse(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).codeSha256
    except s3.exceptions.NoSuchKey as missing:
        raise RollbackRefused(f"{region}: release {commit} was never published for {stage} (no {key})") from missing


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("rollback", __doc__)
    cli.stage_option(parser)
    parser.add_argument("--release", help="the commit to go back to (default: the release before live)")
    parser.add_argument("--regions", nargs="+", default=project.regions)
    args = parser.parse_args(argv)
    stage = project.stage_named(args.stage)
    if project.alias is None:
        raise RollbackRefused(
            f"{stage}: serverless.yml releases through no alias (no canary): redeploy an earlier release "
            "with `make deploy-release COMMIT=<commit>` instead"
        )
    function_names = {region: stack_function(project, region, stage) for region in args.regions}
    code_sha256 = None
    if args.release:
        codes = {region: release_code(project, region, stage, args.release) for region in args.regions}
        if len(set(codes.values())) > 1:
            raise RollbackRefused(f"the regions' manifests of {args.release} disagree: {codes}")
        code_sha256 = next(iter(codes.values()))
    clients = {region: client("lambda", region) for region in args.regions}
    for step in rollback(clients, function_names, code_sha256, project.alias):
        print(
            f"{step.region}: {step.function_name}:{project.alias} {step.current} -> {step.target} "
            f"(code {step.code_sha256}, checked)"
        )
    return 0
