"""Deploys one package, unchanged, to one region, then proves what runs there:

1. the function's CodeSha256 (and the live alias's, once CodeDeploy has shifted it) equals the
   manifest's, so these are the bytes that were tested;
2. the API answers as the contract says, to a client that behaves like a browser (ops.smoke).

Any failed check fails the deploy. With a canary, `sls deploy` waits while CodeDeploy shifts
the alias; if CodeDeploy rolled the release back, this says so and fails.

    python -m ops deploy [--region REGION] [--stage STAGE] [--endpoint URL]

Without --region, every region of project.yml, one after the other: a package that fails its
checks in the first region never reaches the next. Before any region, the stage's data stack
(ops.data) is put in place, so a function never runs before its table.

--endpoint replaces the stack's HTTP API URL for the smoke test. The moto rehearsal needs it,
since moto does not model HTTP APIs: it points at ops.rehearsal.apigw_front instead.
"""

from __future__ import annotations

import subprocess
import sys

from ops import cli, data, smoke
from ops import project as projects
from ops.artifacts import Manifest, file_code_sha256
from ops.aws import client, code_sha256_of, physical_ids, stack_function, stage_api_url
from ops.cli import Failed, Refused, say


def release_status(codedeploy, application: str, group: str) -> str:
    """How CodeDeploy ended the stage's latest release; Failed unless it succeeded."""
    deployments = codedeploy.list_deployments(applicationName=application, deploymentGroupName=group)["deployments"]
    if not deployments:
        return f"no CodeDeploy release of {application} yet"
    info = codedeploy.get_deployment(deploymentId=deployments[0])["deploymentInfo"]
    status = info["status"]
    if status == "Succeeded":
        return f"release {deployments[0]}: Succeeded"
    if status in ("Stopped", "Failed"):
        rollback = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId", "-")
        message = (info.get("errorInformation") or {}).get("message", "-")
        raise Failed(
            f"release {deployments[0]}: {status}; CodeDeploy rolled the alias back (rollback {rollback}): {message}"
        )
    raise Failed(f"release {deployments[0]}: {status}")


def report_release(region: str, stack: str) -> None:
    """Says what CodeDeploy did with the stack's latest release, or that it has no canary."""
    cloudformation = client("cloudformation", region)
    applications = physical_ids(cloudformation, stack, "AWS::CodeDeploy::Application")
    groups = physical_ids(cloudformation, stack, "AWS::CodeDeploy::DeploymentGroup")
    if not applications or not groups:
        print(f"{stack} in {region} releases without CodeDeploy (no traffic shifting on this stage)")
        return
    try:
        print(f"{region}: {release_status(client('codedeploy', region), applications[0], groups[0])}")
    except Failed as failure:
        raise Failed(f"{region}: {failure}") from failure


def check_code(project, region: str, stage: str, expected: str) -> None:
    """The function, and its alias when there is one, run the manifest's code."""
    function = stack_function(project, region, stage)
    deployed = code_sha256_of(function, region)
    if deployed != expected:
        raise Failed(f"{region} runs CodeSha256 {deployed}, the package is {expected}")
    print(f"{function} CodeSha256 {deployed} matches the manifest")
    aliases = physical_ids(client("cloudformation", region), project.stack(stage), "AWS::Lambda::Alias")
    if project.alias and aliases:
        live = code_sha256_of(function, region, project.alias)
        if live != expected:
            raise Failed(f"the {project.alias} alias in {region} still serves {live}, not {expected}")
        print(f"{function}:{project.alias} CodeSha256 {live} matches the manifest")


def checked_package(project, stage: str) -> Manifest:
    """The stage's package manifest, once its zip is the one it was made from."""
    manifest = Manifest.read(project.package_dir(stage))
    zip_path = project.root / project.zip
    if not zip_path.is_file():
        raise Refused(f"{project.zip} is missing: the package needs its zip beside it")
    if file_code_sha256(zip_path) != manifest.codeSha256:
        raise Refused(f"{project.zip} is not the zip this package was made from")
    return manifest


def ensure_data(project, stage: str, tags: dict[str, str] | None = None) -> None:
    """The stage's table before its code (ops.data), where the project keeps data."""
    if (project.root / data.TEMPLATE).is_file():
        data.ensure(project, stage, tags=tags)


def deploy(project, region: str, stage: str, endpoint: str | None = None, params: tuple[str, ...] = ()) -> None:
    """`params` are osls's `--param` values (`key=value`), such as a preview's branch."""
    package_dir = project.package_dir(stage)
    manifest = checked_package(project, stage)
    stack = project.stack(stage)

    say(f"Deploying {stack} to {region} from {project.package_path(stage)} (commit {manifest.gitCommit})")
    deployed = subprocess.run(
        [
            "sls",
            "deploy",
            "--package",
            str(project.package_path(stage)),
            "--stage",
            stage,
            "--region",
            region,
            *(f"--param={param}" for param in params),
        ],
        cwd=project.root,
        check=False,
    )
    if deployed.returncode != 0:
        try:
            report_release(region, stack)
        except Failed as failure:
            print(failure, file=sys.stderr)
        raise Failed(f"deploy to {region} failed")
    # The stack update waited for CodeDeploy's shift; say how it ended (or that there was none).
    report_release(region, stack)

    say(f"Checking the code that runs in {region}")
    check_code(project, region, stage, manifest.codeSha256)

    smoke.run(endpoint or stage_api_url(project, region, stage), package_dir)
    say(f"{region} serves the package")


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("deploy", __doc__)
    parser.add_argument("--region", choices=project.regions, help="one region (default: every region, in order)")
    cli.stage_option(parser)
    parser.add_argument("--endpoint", help="the base URL to smoke-test instead of the stack's HttpApiUrl")
    args = parser.parse_args(argv)
    stage = project.stage_named(args.stage)
    if project.is_preview(stage):
        raise Refused(
            f"{stage} is a branch's preview: `make preview BRANCH=<branch>` deploys it, tagged for `make reap`"
        )
    checked_package(project, stage)
    ensure_data(project, stage)
    for region in [args.region] if args.region else project.regions:
        deploy(project, region, stage, args.endpoint)
    return 0
