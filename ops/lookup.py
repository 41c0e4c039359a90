"""What a person or the Makefile asks of the project: where a deployed stage answers, and the
values of project.yml and serverless.yml that ops/project.py derives.

    python -m ops stage-url --region REGION [--stage STAGE]
    python -m ops value KEY        (service, regions, zip, binary, alias, stage.<role>)

`value` imports no AWS SDK: the Makefile asks it for the regions before every loop over them.
"""

from __future__ import annotations

from ops import cli
from ops import project as projects
from ops.cli import Refused


def stage_url(argv: list[str]) -> int:
    # Imported here: boto3 takes longer to import than `value` takes to answer.
    from ops.aws import stage_api_url  # noqa: PLC0415

    project = projects.load()
    parser = cli.parser("stage-url", "A stage's HTTP API base URL in one region.")
    parser.add_argument("--region", required=True, choices=project.regions)
    cli.stage_option(parser)
    args = parser.parse_args(argv)
    print(stage_api_url(project, args.region, project.stage_named(args.stage)))
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
    parser = cli.parser("value", "One value of project.yml or serverless.yml, as the ops code derives it.")
    parser.add_argument("key", help=f"{', '.join(values)}, or stage.<role> (stage.qa, stage.rehearsal.qa, ...)")
    key = parser.parse_args(argv).key
    if key.startswith("stage."):
        print(project.stage(key.removeprefix("stage.")))
    elif key in values:
        print(values[key]())
    else:
        raise Refused(f"no value {key!r}: ask for {', '.join(values)} or stage.<role>")
    return 0
