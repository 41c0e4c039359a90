#!/usr/bin/env python3
"""Prints where a stage's dashboard is in each region of project.yml: its stack's DashboardUrl.

    python3 scripts/dashboards.py [--stage prod]

A region where the stage is not deployed, or whose stack has no dashboard yet, is named as such
and the command exits 1, after printing every region it could.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import boto3
import yaml

PROJECT = Path(__file__).resolve().parents[1] / "project.yml"


def dashboard_url(cloudformation, stack: str) -> str | None:
    """The stack's DashboardUrl output; None when the stack or the output is missing."""
    try:
        (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except cloudformation.exceptions.ClientError:
        return None
    outputs = {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}
    return outputs.get("DashboardUrl")


def main(argv: list[str]) -> int:
    project = yaml.safe_load(PROJECT.read_text())
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default=project["stages"]["production"])
    args = parser.parse_args(argv)
    stack = f"{project['service']}-{args.stage}"
    missing = False
    for region in project["regions"]:
        url = dashboard_url(boto3.client("cloudformation", region_name=region), stack)
        if url is None:
            print(
                f"{region}: {stack} has no dashboard there (not deployed, or deployed before it had one)",
                file=sys.stderr,
            )
            missing = True
        else:
            print(f"{region}: {url}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
