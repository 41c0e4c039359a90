"""Publishes one release to the release bucket of every region: the zip, and each stage's
package with its manifest, under releases/<commit>/. Every stage's manifest must name the same
zip (the same codeSha256) and the same commit, or nothing is published. S3 computes each
object's SHA-256 as it arrives; the zip's must equal the manifest's, in every region.

    python -m ops publish [--stages qa prod]      (default: the qa and production stages)
"""

from __future__ import annotations

from ops import cli
from ops import project as projects
from ops.artifacts import Manifest, file_code_sha256
from ops.aws import client, release_bucket
from ops.cli import Failed, Refused, say


def releasable_commit(project, stages: list[str]) -> str:
    """The one commit every stage's package was made for, from the one zip; or a refusal."""
    zip_path = project.root / project.zip
    if not zip_path.is_file():
        raise Refused(f"{project.zip} is missing: run `make packages` first")
    zip_sha = file_code_sha256(zip_path)
    commits = set()
    for stage in stages:
        manifest = Manifest.read(project.package_dir(stage))
        if manifest.codeSha256 != zip_sha:
            raise Refused(f"{project.package_path(stage)} was not made from {project.zip}")
        commits.add(manifest.gitCommit)
    if len(commits) != 1:
        raise Refused(f"the packages name {len(commits)} commits: {', '.join(sorted(commits))}")
    (commit,) = commits
    if commit == "unknown":
        raise Refused("the packages name no commit: package from a git checkout")
    return commit


def put(s3, bucket: str, key: str, path) -> str:
    """Uploads with S3's own SHA-256 and returns what S3 computed."""
    stored = s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ChecksumAlgorithm="SHA256")
    return stored["ChecksumSHA256"]


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("publish", __doc__)
    parser.add_argument("--stages", nargs="+", default=None, help="stage names or roles (default: qa production)")
    args = parser.parse_args(argv)
    stages = [project.stage_named(stage) for stage in (args.stages or ["qa", "production"])]

    say("Checking that every package is made from the one zip")
    commit = releasable_commit(project, stages)
    # Every bucket is found before anything is uploaded, so a missing one changes nothing.
    buckets = {region: release_bucket(project, region) for region in project.regions}
    zip_sha = file_code_sha256(project.root / project.zip)
    prefix = project.release_prefix(commit)
    for region, bucket in buckets.items():
        say(f"Publishing release {commit} to s3://{bucket}/{prefix}/ ({region})")
        s3 = client("s3", region)
        stored = put(s3, bucket, project.release_zip_key(commit), project.root / project.zip)
        if stored != zip_sha:
            raise Failed(f"{region}: S3 stored the zip as SHA-256 {stored}, not {zip_sha}")
        for stage in stages:
            for path in sorted(p for p in project.package_dir(stage).iterdir() if p.is_file()):
                put(s3, bucket, f"{project.release_package_prefix(commit, stage)}{path.name}", path)
        print(f"{region}: {prefix}/{project.zip} SHA-256 {stored} = manifest; packages: {' '.join(stages)}")
    return 0
