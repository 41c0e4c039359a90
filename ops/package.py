"""Builds the function once and packages a stage once. Every region is then deployed from this
one package, so the same bytes run everywhere.

    python -m ops package [--stage STAGE] [--release canary|blue-green] [--reuse-zip] [--commit ID]

Writes dist/<stage>/ (osls's package) and its manifest.json (the zip's hashes and the release's
commit), and leaves the zip where serverless.yml expects it. --reuse-zip packages the zip that
is already there instead of building one, so every stage of a release is made from the same
bytes. --commit names the release (default: the checkout's HEAD).
"""

from __future__ import annotations

import re
import shutil
import subprocess

from ops import cli
from ops import project as projects
from ops.artifacts import MANIFEST, Manifest
from ops.cli import Failed, Refused, say

# How CodeDeploy moves the alias, when a release forces one over the stage's own default.
TRAFFIC_SHIFTS = {"canary": "Canary10Percent5Minutes", "blue-green": "AllAtOnce"}
BUDGETS = "handler/benches/budgets.env"
COMMIT_ID = re.compile(r"[A-Za-z0-9._-]+")


def budget(root, name: str) -> int:
    """A budget of handler/benches/budgets.env, the one place they are written."""
    for line in (root / BUDGETS).read_text().splitlines():
        key, _, value = line.partition("=")
        if key == name:
            return int(value)
    raise Failed(f"{BUDGETS} sets no {name}")


def head_commit(root) -> str:
    found = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False)
    return found.stdout.strip() if found.returncode == 0 else "unknown"


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("package", __doc__)
    cli.stage_option(parser)
    parser.add_argument("--release", choices=sorted(TRAFFIC_SHIFTS), help="force a traffic shift")
    parser.add_argument("--reuse-zip", action="store_true")
    parser.add_argument("--commit", default=None)
    args = parser.parse_args(argv)
    stage = project.stage_named(args.stage)
    commit = args.commit or head_commit(project.root)
    if not COMMIT_ID.fullmatch(commit):
        raise Refused(f"--commit must be a commit id or a plain name, not {commit!r}")
    if args.release and project.alias is None:
        raise Refused(
            f"--release {args.release}: this stack has no canary (infra/canary.yml), so every deploy "
            "switches all traffic at once; package without RELEASE"
        )

    zip_path = project.root / project.zip
    if args.reuse_zip:
        if not zip_path.is_file():
            raise Refused(f"--reuse-zip: there is no {project.zip} to reuse")
        say(f"Packaging the zip already built: {project.zip}")
    else:
        say(f"Building {project.binary} (cargo-lambda {project.build_flag})")
        subprocess.run(
            [
                "cargo",
                "lambda",
                "build",
                "--release",
                project.build_flag,
                "--output-format",
                "zip",
                "--bin",
                project.binary,
            ],
            cwd=project.root,
            check=True,
        )
        if not zip_path.is_file():
            raise Failed(f"cargo-lambda did not write {project.zip}")

    size, allowed = zip_path.stat().st_size, budget(project.root, "ZIP_BUDGET_BYTES")
    print(f"zip size: {size} bytes (budget {allowed} bytes)")
    if size > allowed:
        raise Failed(f"{project.zip} is over its size budget")

    package_dir = project.package_dir(stage)
    say(f"Packaging stage {stage} once into {package_dir.relative_to(project.root)}")
    shutil.rmtree(package_dir, ignore_errors=True)
    params = ["--param", f"trafficShift={TRAFFIC_SHIFTS[args.release]}"] if args.release else []
    package = [
        "sls",
        "package",
        "--stage",
        stage,
        "--region",
        project.regions[0],
        "--package",
        str(project.package_path(stage)),
    ]
    subprocess.run([*package, *params], cwd=project.root, check=True)

    manifest = Manifest.of_zip(
        zip_path.read_bytes(), service=project.service, stage=stage, artifact=str(project.zip), commit=commit
    )
    say(f"Wrote {project.package_path(stage) / MANIFEST}")
    print(manifest.write(package_dir), end="")
    return 0
