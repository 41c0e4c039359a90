"""Rehearses the whole delivery chain offline, against moto in both regions, with the commands
CI uses: package once, publish to each region's release bucket, deploy qa in both regions,
accept it, deploy production in both regions; then redeploy an earlier release, roll back by
release under drifted version numbers, and show that what must be refused is refused with
nothing changed; then deploy two branches' previews and reap them (ops.rehearsal.previews).
Hashes are checked at every step.

    python -m ops rehearse

moto cannot create the live alias (the API's Lambda permission names it) or HTTP APIs, so the
rehearsal deploys the stages project.yml names under stages.rehearsal, which leave traffic
shifting out, and the smoke and acceptance tests reach the same function, served locally through
cargo-lambda's emulator (ops.rehearsal.function), behind ops.rehearsal.apigw_front, which routes
and answers CORS as the package's HTTP API would. The real qa and prod templates are checked as
templates by infra/tests.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ops import acceptance, cli, data, package, publish, release, smoke
from ops import project as projects
from ops.artifacts import Manifest, file_code_sha256
from ops.aws import client, code_sha256_of, release_bucket, stack_function
from ops.cli import Failed, say
from ops.rehearsal import function, lambda_versions, previews, tables
from ops.rehearsal.commands import expect_refusal, ops_command
from ops.rehearsal.processes import Servers

# Release ids of their own, so the rehearsal needs no commit and never collides with one.
CURRENT, EARLIER, HOTFIX = "rehearsal-current", "rehearsal-earlier", "rehearsal-hotfix"


def ports() -> tuple[int, int, int]:
    env = os.environ.get
    return (
        int(env("REHEARSAL_MOTO_PORT", "5055")),
        int(env("REHEARSAL_FUNCTION_PORT", "9055")),
        int(env("REHEARSAL_FRONT_PORT", "9056")),
    )


def local_aws_only(moto_port: int) -> None:
    """Fresh, fake and local: nothing here may reach a real AWS account."""
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{moto_port}",
        AWS_ACCESS_KEY_ID="rehearsal",
        AWS_SECRET_ACCESS_KEY="rehearsal",  # noqa: S106 (moto's, not a secret)
        AWS_SESSION_TOKEN="rehearsal",  # noqa: S106
        # moto carries out a stack change at once; the Serverless CLI would wait 5 s between
        # looks at it, about a minute over the rehearsal's deploys.
        SLS_AWS_MONITORING_FREQUENCY="200",
    )
    for name in ("AWS_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        os.environ.pop(name, None)


def running(project, region: str, stage: str) -> str:
    return code_sha256_of(stack_function(project, region, stage), region)


def expect_everywhere(project, stage: str, code: str, what: str, *, live: bool = False) -> None:
    """Fails unless the stage's function (or its live alias) runs that code in every region."""
    for region in project.regions:
        found = lambda_versions.live_code(project, region, stage) if live else running(project, region, stage)
        if found != code:
            raise Failed(f"{region}: {stage} {'live serves' if live else 'runs'} {found}, not {what} ({code})")
        print(f"{region:<14} {stage} {'live serves' if live else 'runs'} {what} ({found})")


def rezip(zip_path: Path, comment: bytes) -> None:
    """The same binary zipped again, so that it has a CodeSha256 of its own."""
    with zipfile.ZipFile(zip_path) as old:
        entries = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as new:
        new.comment = comment
        for info, data in entries:
            new.writestr(info, data)


def bootstrap_account(project, work: Path) -> None:
    """`make bootstrap APPLY=1` on the empty account, then `make bootstrap` again, which must
    find nothing to change."""
    # moto has no drift detection (infra/tests/test_bootstrap.py gives bootstrap AWS's answers).
    ids = ("--org-id", "rehearsal-org", "--project-id", "rehearsal-project", "--no-drift-check")
    for run, argv, expected in (("first", (*ids, "--apply"), "== Applying"), ("second", ids, "nothing to change")):
        log = work / f"bootstrap-{run}.log"
        result = ops_command(project, "bootstrap", *argv, log=log)
        text = log.read_text()
        print(text, end="")
        if result.returncode != 0 or expected not in text:
            raise Failed(f"the {run} bootstrap did not say {expected!r}")


def rehearse(project, work: Path) -> None:  # noqa: PLR0915 (the chain's steps, in order, as CI runs them)
    qa, production = project.stage("rehearsal.qa"), project.stage("rehearsal.production")
    moto_port, function_port, front_port = ports()
    local_aws_only(moto_port)
    function_url, front = f"http://127.0.0.1:{function_port}", f"http://127.0.0.1:{front_port}"
    zip_path = project.root / project.zip
    first_region, last_region = project.regions[0], project.regions[-1]

    with Servers(work) as servers:
        say(f"Starting moto on 127.0.0.1:{moto_port} and the function on {function_url}")
        servers.start("moto", ["moto_server", "-H", "127.0.0.1", "-p", str(moto_port)], project.root)
        # One local function serves both stages' smoke tests; it keeps qa's greetings, in moto.
        binary = function.build(project)
        servers.start("the Runtime API emulator", function.emulator_command(function_port), project.root)
        function.wait_until_listening(function_port)
        servers.start(
            "the local function",
            [str(binary)],
            project.root,
            env=function.environment(
                function_port,
                function.memory_mb(project),
                {"GREETINGS_TABLE": project.table_name(qa), "AWS_REGION": first_region},
            ),
        )

        say(f"Package once: {qa} and {production} from one zip")
        package.main(["--stage", qa, "--commit", CURRENT])
        package.main(["--stage", production, "--reuse-zip", "--commit", CURRENT])
        current = Manifest.read(project.package_dir(qa)).codeSha256
        if Manifest.read(project.package_dir(production)).codeSha256 != current:
            raise Failed("the two packages hold different zips")

        say(f"Starting the HTTP API stand-in on {front}, in front of the function")
        template = projects.template_of(project.package_dir(qa))
        servers.start(
            "the HTTP API stand-in",
            [
                sys.executable,
                "-m",
                "ops",
                "front",
                "--template",
                str(template),
                "--backend",
                function_url,
                "--port",
                str(front_port),
            ],
            project.root,
        )
        servers.wait_until_answering("moto", f"http://127.0.0.1:{moto_port}/moto-api/")
        if (project.root / data.TEMPLATE).is_file():
            say("The stages' tables, in every region: moto makes no global table, so the rehearsal does")
            for stage in (qa, production):
                tables.create_replicas(project, stage)
        servers.wait_until_answering("the local function", f"{function_url}/")
        servers.wait_until_answering("the HTTP API stand-in", f"{front}/")

        say("The function alone, asked every route of the production package: each reaches its handler")
        smoke.run(function_url, project.package_dir(production), function_alone=True)

        say("make bootstrap on the empty account: the release buckets (and the deploy role), then again")
        bootstrap_account(project, work)

        say("An earlier release: the same binary zipped again, so that it has a CodeSha256 of its own")
        keep = work / "current"
        keep.mkdir()
        for stage in (qa, production):
            shutil.copytree(project.package_dir(stage), keep / stage)
        shutil.copy2(zip_path, keep / "bootstrap.zip")
        try:
            rezip(zip_path, b"rehearsal: an earlier release")
            for stage in (qa, production):
                if ops_command(
                    project, "package", "--stage", stage, "--reuse-zip", "--commit", EARLIER, log=work / "earlier.log"
                ).returncode:
                    sys.stderr.write((work / "earlier.log").read_text())
                    raise Failed("packaging the earlier release failed")
            earlier = Manifest.read(project.package_dir(production)).codeSha256
            if earlier == current:
                raise Failed("the earlier release has the same bytes as the current one")
            publish.main(["--stages", qa, production])
        finally:
            for stage in (qa, production):
                shutil.rmtree(project.package_dir(stage), ignore_errors=True)
                shutil.copytree(keep / stage, project.package_dir(stage))
            shutil.copy2(keep / "bootstrap.zip", zip_path)

        try:
            rehearse_releases(project, work, Chain(front, qa, production, current, earlier))
        finally:
            # Deploying a release fetches its zip into the checkout; leave the one it built.
            shutil.copy2(keep / "bootstrap.zip", zip_path)
        if project.settings.get("previews"):
            previews.rehearse(project, work, front)
    if file_code_sha256(zip_path) != current:
        raise Failed(f"{project.zip} was not put back")
    rollback = "rollback by release, " if project.alias else ""
    previewed = ", two branches' previews and their reap" if project.settings.get("previews") else ""
    say(
        f"Rehearsed in {first_region} and {last_region}: package once, publish, qa, acceptance, production, "
        f"redeploy, {rollback}refusals{previewed}"
    )


@dataclass(frozen=True)
class Chain:
    """What every step of the rehearsal's releases works with."""

    front: str
    qa: str
    production: str
    current: str
    earlier: str


def rehearse_releases(project, work, chain: Chain) -> None:
    front, qa, production, current, earlier = chain.front, chain.qa, chain.production, chain.current, chain.earlier
    say("Publish the current release")
    publish.main(["--stages", qa, production])

    say("qa, in every region, from each region's own bucket")
    release.main(["--commit", CURRENT, "--stage", qa, "--endpoint", front])
    expect_everywhere(project, qa, current, "the current release")

    acceptance.run(project, front, "qa")

    say("Production, in every region")
    release.main(["--commit", CURRENT, "--stage", production, "--endpoint", front])
    expect_everywhere(project, production, current, "the current release")
    say("make smoke-global's replication check, through the stand-in: one local function and table serve every")
    say("region here, so this runs the check's write and reads; that the table replicates, only AWS can show")
    regions = [f"--region-url={region}={front}" for region in project.regions]
    if ops_command(project, "smoke-global", "--stage", production, *regions).returncode:
        raise Failed("smoke-global failed")
    if project.alias:
        for region in project.regions:
            lambda_versions.live_at_newest(project, region, production)
        rehearse_rollbacks(project, work, chain)
    else:
        say("No canary (infra/canary.yml), so no live alias: rollback by release is left out")
        say("Redeploy the earlier release to production")
        release.main(["--commit", EARLIER, "--stage", production, "--endpoint", front])
        expect_everywhere(project, production, earlier, "the earlier release")
    rehearse_tamper_refusal(project, work, chain)


def rehearse_rollbacks(project, work, chain: Chain) -> None:
    """Under version numbers that differ between the regions, roll back by release both ways,
    then refuse a release one region lacks."""
    front, production, current, earlier = chain.front, chain.production, chain.current, chain.earlier
    first_region, last_region = project.regions[0], project.regions[-1]

    say(f"A hotfix that reached {last_region} only: its version numbers now run ahead of the other regions'")
    lambda_versions.deploy_to_one_region(project, last_region, production, HOTFIX)

    say("Redeploy the earlier release to production")
    release.main(["--commit", EARLIER, "--stage", production, "--endpoint", front])
    expect_everywhere(project, production, earlier, "the earlier release")
    for region in project.regions:
        lambda_versions.live_at_newest(project, region, production)

    say("Roll back by release, to the current release and back to the earlier one, under each region's own numbers")
    for commit, code, what, log in (
        (CURRENT, current, "the current release", "rollback-current.log"),
        (EARLIER, earlier, "the earlier release", "rollback-earlier.log"),
    ):
        if ops_command(project, "rollback", "--stage", production, "--release", commit, log=work / log).returncode:
            sys.stderr.write((work / log).read_text())
            raise Failed(f"the rollback to {what} failed")
        print((work / log).read_text(), end="")
        expect_everywhere(project, production, code, what, live=True)
    targets = {line.split(" -> ")[1].split()[0] for line in (work / log).read_text().splitlines() if " -> " in line}
    if len(targets) < 2:
        raise Failed("the regions' version numbers did not differ: the rollback proved nothing about drift")

    say("A release whose code one region never ran (the hotfix) is refused, and no region changes")
    log = work / "unheld.log"
    result = ops_command(project, "rollback", "--stage", production, "--release", HOTFIX, log=log)
    expect_refusal(result, log, f"{first_region}: no version", "a release one region lacks")
    expect_everywhere(project, production, earlier, "the earlier release, untouched", live=True)


def rehearse_tamper_refusal(project, work, chain: Chain) -> None:
    """A release changed in one region's bucket is refused before anything is deployed."""
    front, production, earlier = chain.front, chain.production, chain.earlier
    last_region = project.regions[-1]
    say(f"A release changed in one regional bucket ({last_region}) is refused, and nothing is deployed")
    client("s3", last_region).put_object(
        Bucket=release_bucket(project, last_region),
        Key=project.release_zip_key(CURRENT),
        Body=b"not the tested bytes",
        ChecksumAlgorithm="SHA256",
    )
    log = work / "tamper.log"
    result = ops_command(
        project, "deploy-release", "--commit", CURRENT, "--stage", production, "--endpoint", front, log=log
    )
    expect_refusal(result, log, f"{last_region}: S3 holds the zip as SHA-256", "a tampered release")
    expect_everywhere(project, production, earlier, "the earlier release, untouched")


def main(argv: list[str]) -> int:
    cli.parser("rehearse", __doc__).parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rehearsal-") as work:
        rehearse(projects.load(), Path(work))
    return 0
