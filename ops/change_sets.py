"""Plans a stack with a CloudFormation change set, then applies or discards it: what
`make bootstrap` (ops/setup/bootstrap.py) and a stage's data stack (ops/data.py) share.

A plan says what would be added, modified or removed before anything is; a stack in a failed or
unfinished state is refused, changing nothing. The deploy role grants what CI's use of it calls
(infra/tests/test_deploy_role.py reads this file for it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ops.aws import client
from ops.cli import Failed, Refused

# A stack in one of these needs a person first: a failed create leaves ROLLBACK_COMPLETE, which
# CloudFormation will not update, and a stack in progress belongs to someone else's command.
BLOCKED = ("FAILED", "IN_PROGRESS", "ROLLBACK_COMPLETE")
NO_CHANGES = "didn't contain changes"


@dataclass
class Stack:
    name: str
    region: str
    template: str
    parameters: dict[str, str]
    capabilities: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    # The template's text, where ops renders it; otherwise the file `template` names is sent.
    body: str | None = None
    exists: bool = False
    planned: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def change_set(self) -> str:
        # Named after its stack, though CloudFormation scopes the name to it: moto does not.
        return f"plan-{self.name}"


def status_of(cloudformation, name: str) -> str | None:
    try:
        (described,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except cloudformation.exceptions.ClientError:
        return None
    return described["StackStatus"]


def settled(describe, key: str) -> dict:
    """What `describe` answers once `key` is neither pending nor in progress."""
    for _ in range(600):
        found = describe()
        if not found[key].endswith(("_PENDING", "_IN_PROGRESS")):
            return found
        time.sleep(2)
    raise Failed(f"still {found[key]} after 20 minutes")


def plan(project, stack: Stack) -> None:
    """Creates the stack's change set and reads what it would do; refuses a blocked stack."""
    cloudformation = client("cloudformation", stack.region)
    status = status_of(cloudformation, stack.name)
    if status == "REVIEW_IN_PROGRESS":
        status = None  # an earlier plan's empty stack, with no resource yet
    if status and any(blocked in status for blocked in BLOCKED):
        raise Refused(f"{stack.region}: {stack.name} is {status}; settle it in CloudFormation first")
    stack.exists = status is not None
    try:
        cloudformation.create_change_set(
            StackName=stack.name,
            ChangeSetName=stack.change_set,
            ChangeSetType="UPDATE" if stack.exists else "CREATE",
            TemplateBody=stack.body or (project.root / stack.template).read_text(),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in stack.parameters.items()],
            Capabilities=stack.capabilities,
            Tags=[{"Key": k, "Value": v} for k, v in stack.tags.items()],
        )
    except cloudformation.exceptions.ClientError as refusal:
        # Some endpoints (moto among them) refuse an unchanged stack's change set outright,
        # where CloudFormation makes one that fails with NO_CHANGES: both mean the same.
        if "No updates are to be performed" not in str(refusal):
            raise
        stack.changes = []
        return
    stack.planned = True
    described = settled(
        lambda: cloudformation.describe_change_set(StackName=stack.name, ChangeSetName=stack.change_set), "Status"
    )
    if described["Status"] == "FAILED" and NO_CHANGES not in described.get("StatusReason", ""):
        raise Failed(f"{stack.region}: {stack.name}: {described.get('StatusReason')}")
    stack.changes = [
        f"{c['ResourceChange']['Action']} {c['ResourceChange']['LogicalResourceId']} "
        f"({c['ResourceChange']['ResourceType']})"
        for c in described.get("Changes", [])
    ]


def discard(stack: Stack, *, empty_stack_too: bool = True) -> None:
    """Deletes the stack's change set, and (unless told not to) the empty stack a CREATE change
    set makes. A stack with no resource costs nothing, and the next plan reuses it."""
    if not stack.planned:
        return
    cloudformation = client("cloudformation", stack.region)
    cloudformation.delete_change_set(StackName=stack.name, ChangeSetName=stack.change_set)
    if not stack.exists and empty_stack_too:
        cloudformation.delete_stack(StackName=stack.name)


def apply(stack: Stack) -> None:
    cloudformation = client("cloudformation", stack.region)
    cloudformation.execute_change_set(StackName=stack.name, ChangeSetName=stack.change_set)
    described = settled(lambda: cloudformation.describe_stacks(StackName=stack.name)["Stacks"][0], "StackStatus")
    if described["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        raise Failed(f"{stack.region}: {stack.name} ended {described['StackStatus']}")
