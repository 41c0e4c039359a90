"""What a person or the Makefile asks of the project: where a deployed stage answers, and the
values of project.yml and serverless.yml that ops/project.py derives.

    python -m ops stage-url --region REGION [--stage STAGE]
    python -m ops value KEY        (service, regions, zip, binary, alias, stage.<role>)
"""

from __future__ import annotations

import argparse

from ops import project as projects
from ops.aws import client, stack_outputs
from ops.cli import Failed, Refused


def stage_url(argv: list[str]) -> int:
    project = projects.load()
    parser = argparse.ArgumentParser(prog="python -m ops stage-url", description="A stage's HTTP API base URL")
    parser.add_argument("--region", required=True, choices=project.regions)
    parser.add_argument("--stage", help="a stage name or role (default: production)")
    args = parser.parse_args(argv)
    stack = project.stack(project.stage_named(args.stage))
    url = (stack_outputs(client("cloudformation", args.region), stack) or {}).get("HttpApiUrl", "")
    if not url.startswith("https://"):
        raise Failed(f"{stack} in {args.region} has no HttpApiUrl output")
    print(url)
    return 0


def value(argv: list[str]) -> int:
    project = projects.load()
    values = {
        "service": lambda: project.service,
        "regions": lambda: " ".join(project.regions),
        "zip": lambda: str(project.zip),
        "binary": lambda: project.binary,
        "alias": lambda: project.alias or "",
    }
    if len(argv) != 1:
        raise Refused(f"usage: python -m ops value {'|'.join(values)}|stage.<role>")
    (key,) = argv
    if key.startswith("stage."):
        print(project.stage(key.removeprefix("stage.")))
    elif key in values:
        print(values[key]())
    else:
        raise Refused(f"no value {key!r}: ask for {', '.join(values)} or stage.<role>")
    return 0
