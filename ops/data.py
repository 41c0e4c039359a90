"""Puts a stage's data in place before its code: the stack of its DynamoDB global table
(infra/data.yml), in the first region of project.yml, with a replica in every region.

    python -m ops data [--stage STAGE] [--apply]

A global table creates its replicas itself, so it is one stack per stage, never a resource of
the regional stacks. `ops deploy` and `ops deploy-release` apply it before any region's stack,
so a function never runs before its table; a rollback by release leaves it alone, since an
earlier release reads the same items. It plans with a change set and says what would change;
production's table has deletion protection and is retained if its stack is deleted
(docs/data.md).
"""

from __future__ import annotations

import copy
import json

from ops import change_sets, cli
from ops import project as projects
from ops.cli import Refused, say

TEMPLATE = "infra/data.yml"


def template(project, stage: str) -> dict:
    """infra/data.yml with a replica in every region, each with point-in-time recovery; in
    production, deletion protection and a table kept if its stack is deleted. A branch's preview
    runs in the first region only, and so does its table."""
    rendered = copy.deepcopy(projects.read_yaml(project.root / TEMPLATE))
    table = rendered["Resources"]["GreetingsTable"]
    protected = project.is_production(stage)
    if protected:
        table["DeletionPolicy"] = "Retain"
    table["Properties"]["Replicas"] = [
        {
            "Region": region,
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "DeletionProtectionEnabled": protected,
        }
        for region in (project.regions[:1] if project.is_preview(stage) else project.regions)
    ]
    return rendered


def stack(project, stage: str, tags: dict[str, str] | None = None) -> change_sets.Stack:
    return change_sets.Stack(
        project.data_stack(stage),
        project.regions[0],
        TEMPLATE,
        {"TableName": project.table_name(stage)},
        body=json.dumps(template(project, stage), indent=1),
        tags=tags or {},
    )


def ensure(project, stage: str, *, apply: bool = True, tags: dict[str, str] | None = None) -> None:
    """Plans the data stack and, if `apply`, carries the plan out; says what changed. `tags`
    are the stack's (a preview's branch)."""
    planned = stack(project, stage, tags)
    say(f"{planned.region}: the data of {stage} ({planned.name}, table {project.table_name(stage)})")
    try:
        change_sets.plan(project, planned)
        for change in planned.changes:
            print(f"  {change}")
        if not planned.changes:
            print("  nothing to change")
        if planned.changes and apply:
            change_sets.apply(planned)
            planned.planned = False
        elif planned.changes:
            print("  nothing was changed: run again with --apply")
    finally:
        # The deploy role that applies it in CI may not delete stacks (infra/circleci-deploy-role.yml):
        # an apply that stops leaves the empty stack a new plan made, which the next plan reuses.
        change_sets.discard(planned, empty_stack_too=not apply)


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("data", __doc__)
    cli.stage_option(parser)
    parser.add_argument("--apply", action="store_true", help="carry the plan out")
    args = parser.parse_args(argv)
    stage = project.stage_named(args.stage)
    if not (project.root / TEMPLATE).is_file():
        raise Refused(f"{TEMPLATE} is missing: this project keeps no data")
    ensure(project, stage, apply=args.apply)
    return 0
