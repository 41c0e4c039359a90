"""Prints where a stage's dashboard is in each region of project.yml: its stack's DashboardUrl.

    python -m ops dashboard [--stage prod]

A region where the stage is not deployed, or whose stack has no dashboard yet, is named as such
and the command exits 1, after printing every region it could.
"""

from __future__ import annotations

import sys

from ops import cli
from ops import project as projects
from ops.aws import client, stack_outputs


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("dashboard", __doc__)
    cli.stage_option(parser)
    args = parser.parse_args(argv)
    stack = project.stack(project.stage_named(args.stage))
    missing = False
    for region in project.regions:
        url = (stack_outputs(client("cloudformation", region), stack) or {}).get("DashboardUrl")
        if url is None:
            print(
                f"{region}: {stack} has no dashboard there (not deployed, or deployed before it had one)",
                file=sys.stderr,
            )
            missing = True
        else:
            print(f"{region}: {url}")
    return 1 if missing else 0
