"""Deploys a branch's preview: a stage of its own, in the first region of project.yml, as CI does
on every push to a branch other than main (docs/previews.md).

    python -m ops preview --branch BRANCH [--endpoint URL]

It packages the stage from the zip already built (in CI, the one the branch's test job built
and measured), or builds one; puts the stage's table in place (one replica); deploys it with its
branch in the stack tag `make reap` selects by; checks the code it runs and smoke-tests it; runs
the acceptance suite against it; and writes its URL to dist/preview.json.

--endpoint replaces the stack's HTTP API URL for the smoke test and the acceptance suite, as
`ops deploy --endpoint` does for the moto rehearsal.
"""

from __future__ import annotations

import json

from ops import acceptance, cli, deploy, package
from ops import project as projects
from ops.aws import stage_api_url
from ops.cli import say
from ops.previews.naming import stage_for, tag_value

# What the preview job stores as an artifact: which stage a branch got, and where it answers.
RECORD = "preview.json"


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("preview", __doc__)
    parser.add_argument("--branch", required=True, help="the branch (in CI, $CIRCLE_BRANCH)")
    parser.add_argument("--endpoint", help="the base URL to test instead of the stack's HttpApiUrl")
    args = parser.parse_args(argv)
    stage, region, branch_tag = stage_for(project, args.branch), project.regions[0], tag_value(args.branch)
    say(f"The preview of {args.branch}: stage {stage}, in {region}")

    reuse = ["--reuse-zip"] if (project.root / project.zip).is_file() else []
    package.main(["--stage", stage, *reuse])
    deploy.checked_package(project, stage)
    deploy.ensure_data(project, stage, tags={project.previews["tag"]: branch_tag})
    # infra/osls-plugins/previews.js puts the branch in the stack's tag.
    deploy.deploy(project, region, stage, args.endpoint, params=(f"branch={branch_tag}",))
    url = args.endpoint or stage_api_url(project, region, stage)
    acceptance.run(project, url, f"the preview of {args.branch}")

    record = {"branch": args.branch, "stage": stage, "region": region, "url": url}
    (project.root / projects.PACKAGES / RECORD).write_text(json.dumps(record, indent=2) + "\n")
    say(f"The preview of {args.branch} answers at {url} ({projects.PACKAGES}/{RECORD})")
    print(url)
    return 0
