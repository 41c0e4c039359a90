"""Deploys a published release from each region's own release bucket: the bytes CI tested, or
any earlier release still kept there.

    python -m ops deploy-release --commit COMMIT [--stage STAGE] [--region REGION] [--endpoint URL]

It plans first: in every region it deploys to, the release's manifest must be there for this
stage and commit, and S3's SHA-256 of the zip must equal the manifest's codeSha256; otherwise it
refuses, naming the region, and deploys nothing anywhere. Then, region by region, in
project.yml's order, it fetches the package, checks the fetched bytes against the manifest
again, and deploys them (ops.deploy: hash checks, smoke test). One region after the other: a
release that fails its canary or its smoke test in the first region never reaches the next.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from ops import cli, deploy
from ops import project as projects
from ops.artifacts import Manifest, file_code_sha256
from ops.aws import client, release_bucket
from ops.cli import Failed, Refused, say
from ops.package import COMMIT_ID


@dataclass(frozen=True)
class Source:
    region: str
    bucket: str
    code_sha256: str


def plan(project, commit: str, stage: str, regions: list[str]) -> list[Source]:
    """Where each region's release is, checked; a refusal names every region that lacks it."""
    sources, refusals = [], []
    for region in regions:
        bucket = release_bucket(project, region)
        s3 = client("s3", region)
        try:
            body = s3.get_object(Bucket=bucket, Key=project.release_manifest_key(commit, stage))["Body"].read()
        except s3.exceptions.NoSuchKey:
            refusals.append(
                f"{region}: no release {commit} for stage {stage} in s3://{bucket}/{project.release_prefix(commit)}/"
            )
            continue
        expected = Manifest.parse(body).codeSha256
        try:
            head = s3.head_object(Bucket=bucket, Key=project.release_zip_key(commit), ChecksumMode="ENABLED")
            stored = head.get("ChecksumSHA256", "(no checksum)")
        except s3.exceptions.ClientError:
            stored = "(no zip)"
        if stored != expected:
            refusals.append(f"{region}: S3 holds the zip as SHA-256 {stored}, the manifest says {expected}")
        else:
            print(f"{region}: s3://{bucket}/{project.release_prefix(commit)}/ zip SHA-256 {stored} = manifest")
            sources.append(Source(region, bucket, expected))
    if refusals:
        raise Refused(f"release {commit} was not deployed anywhere: " + "; ".join(refusals))
    return sources


def fetch(project, commit: str, stage: str, source: Source) -> None:
    """Puts the region's copy of the release where a deploy reads it: dist/<stage> and the zip."""
    s3 = client("s3", source.region)
    package_dir = project.package_dir(stage)
    shutil.rmtree(package_dir, ignore_errors=True)
    package_dir.mkdir(parents=True)
    prefix = project.release_package_prefix(commit, stage)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=source.bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=source.bucket, Key=item["Key"])["Body"].read()
            (package_dir / item["Key"].removeprefix(prefix)).write_bytes(body)
    zip_path = project.root / project.zip
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    zip_path.write_bytes(s3.get_object(Bucket=source.bucket, Key=project.release_zip_key(commit))["Body"].read())
    fetched = file_code_sha256(zip_path)
    if fetched != source.code_sha256:
        raise Failed(
            f"{source.region}: the fetched zip is SHA-256 {fetched}, the manifest says {source.code_sha256}; "
            "not deployed"
        )
    if Manifest.read(package_dir).codeSha256 != source.code_sha256:
        raise Failed(f"{source.region}: the package's manifest changed since the plan; not deployed")


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("deploy-release", __doc__)
    parser.add_argument("--commit", required=True)
    cli.stage_option(parser)
    parser.add_argument("--region", choices=project.regions, help="one region (default: every region, in order)")
    parser.add_argument("--endpoint", help="passed to the deploy's smoke test (the offline rehearsal)")
    args = parser.parse_args(argv)
    if not COMMIT_ID.fullmatch(args.commit):
        raise Refused(f"--commit must be a commit id, not {args.commit!r}")
    stage = project.stage_named(args.stage)
    regions = [args.region] if args.region else project.regions

    say(f"Plan: release {args.commit}, stage {stage}, in {' '.join(regions)}")
    sources = plan(project, args.commit, stage, regions)
    deploy.ensure_data(project, stage)
    for source in sources:
        say(f"Fetching release {args.commit} for {stage} from s3://{source.bucket}/ ({source.region})")
        fetch(project, args.commit, stage, source)
        deploy.deploy(project, source.region, stage, args.endpoint)
    say(f"Release {args.commit} runs as {stage} in {' '.join(regions)}")
    return 0
