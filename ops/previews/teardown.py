"""Removes branch previews (docs/previews.md): one by its branch, or every one whose branch is
gone from the remote, merged into the remote's default branch, or idle past project.yml's
previews.maxIdleDays.

    python -m ops preview-remove --branch BRANCH [--apply]
    python -m ops reap [--remote REMOTE] [--apply]

Both plan first and change nothing without --apply. They select a stack only by both marks of
a preview: a name that starts with `<service>-<previews.prefix>-`, and the tag previews.tag. A
stack of the service with one mark and not the other is refused, and nothing is changed: a
person made it, and a person decides. Removing a preview empties its deployment bucket (every
version: CloudFormation cannot delete a bucket that holds objects), deletes its stack, then its
data stack, then any log group its function left behind, so that nothing of it costs money.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ops import cli
from ops import project as projects
from ops.aws import client, physical_ids
from ops.change_sets import settled
from ops.cli import Failed, Refused, say
from ops.previews.naming import stage_for


@dataclass(frozen=True)
class PreviewStack:
    """A stack with both marks of a preview."""

    name: str
    stack_id: str
    region: str
    stage: str
    branch_tag: str
    last_deployed: datetime


@dataclass(frozen=True)
class Removal:
    stage: str
    reason: str
    stacks: tuple[PreviewStack, ...]


def stage_of(project, stack_name: str) -> str | None:
    """The preview stage a stack's name says it belongs to, or None. A preview's data stack is
    `<service>-<stage>-data`; a stage ends in a hexadecimal hash, so never in `-data`."""
    head = f"{project.service}-{project.previews['prefix']}-"
    if not stack_name.startswith(head):
        return None
    return stack_name.removeprefix(f"{project.service}-").removesuffix("-data")


def find_previews(project) -> tuple[list[PreviewStack], dict[str, str]]:
    """The service's preview stacks in every region of project.yml, and a refusal for each of
    its stacks that has one mark of a preview and not the other, by the stack's name."""
    tag = project.previews["tag"]
    found, refusals = [], {}
    for region in project.regions:
        cloudformation = client("cloudformation", region)
        summaries = [
            summary
            for page in cloudformation.get_paginator("list_stacks").paginate()
            for summary in page["StackSummaries"]
            if summary["StackStatus"] != "DELETE_COMPLETE" and summary["StackName"].startswith(f"{project.service}-")
        ]
        for summary in summaries:
            (stack,) = cloudformation.describe_stacks(StackName=summary["StackId"])["Stacks"]
            tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
            stage = stage_of(project, stack["StackName"])
            if stage is None and tag not in tags:
                continue
            if stage is None or tag not in tags:
                mark = f"is tagged {tag} but not named" if stage is None else f"has no {tag} tag but is named"
                refusals[stack["StackName"]] = f"{region}: {stack['StackName']} {mark} as a preview"
                continue
            found.append(
                PreviewStack(
                    stack["StackName"],
                    stack["StackId"],
                    region,
                    stage,
                    tags[tag],
                    stack.get("LastUpdatedTime") or stack["CreationTime"],
                )
            )
    return found, refusals


def by_stage(stacks: list[PreviewStack]) -> dict[str, tuple[PreviewStack, ...]]:
    grouped = defaultdict(list)
    for stack in stacks:
        grouped[stack.stage].append(stack)
    return {stage: tuple(group) for stage, group in sorted(grouped.items())}


def plan_reap(
    project, stacks: list[PreviewStack], branches: dict[str, bool], now: datetime
) -> tuple[list[Removal], list[str]]:
    """What a reap removes, and why; and what it keeps. `branches` are the remote's, each with
    whether it is merged into the remote's default branch."""
    merged = {stage_for(project, branch): branch for branch, is_merged in branches.items() if is_merged}
    live = {stage_for(project, branch): branch for branch, is_merged in branches.items() if not is_merged}
    limit = timedelta(days=project.previews["maxIdleDays"])
    removals, kept = [], []
    for stage, group in by_stage(stacks).items():
        idle = now - max(stack.last_deployed for stack in group)
        if stage in merged:
            reason = f"its branch {merged[stage]} is merged"
        elif stage not in live:
            reason = f"its branch {group[0].branch_tag} is gone from the remote"
        elif idle > limit:
            reason = f"nothing deployed it for {idle.days} days (previews.maxIdleDays: {limit.days})"
        else:
            kept.append(f"keep   {stage}: branch {live[stage]}, deployed {idle.days} days ago")
            continue
        removals.append(Removal(stage, reason, group))
    return removals, kept


def git(project, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *argv], cwd=project.root, capture_output=True, text=True, check=False)


def remote_branches(project, remote: str) -> dict[str, bool]:
    """The remote's branches, but its default one, each with whether it is merged into the
    default branch. A commit this checkout lacks is taken as not merged."""
    heads = git(project, "ls-remote", "--heads", remote)
    default = git(project, "ls-remote", "--symref", remote, "HEAD")
    if heads.returncode or default.returncode:
        raise Failed(f"git ls-remote {remote}: {(heads.stderr or default.stderr).strip()}")
    default_branch, default_commit = None, None
    for line in default.stdout.splitlines():
        if line.startswith("ref: refs/heads/"):
            default_branch = line.removeprefix("ref: refs/heads/").split("\t")[0]
        elif line.endswith("\tHEAD"):
            default_commit = line.split("\t")[0]
    branches = {}
    for line in heads.stdout.splitlines():
        commit, ref = line.split("\t")
        branch = ref.removeprefix("refs/heads/")
        if branch != default_branch:
            branches[branch] = (
                default_commit is not None
                and git(project, "merge-base", "--is-ancestor", commit, default_commit).returncode == 0
            )
    return branches


def empty_bucket(region: str, bucket: str) -> None:
    """Deletes every version and delete marker, which CloudFormation would otherwise refuse."""
    s3 = client("s3", region)
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        objects = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})


def gone(cloudformation, stack_id: str) -> dict:
    try:
        (stack,) = cloudformation.describe_stacks(StackName=stack_id)["Stacks"]
    except cloudformation.exceptions.ClientError:
        return {"StackStatus": "DELETE_COMPLETE"}
    return stack


def in_order(stacks: tuple[PreviewStack, ...]) -> list[PreviewStack]:
    """A preview's service stack before its data stack: its function goes before its table."""
    return sorted(stacks, key=lambda stack: stack.name.endswith("-data"))


def remove(project, removal: Removal) -> None:
    """The preview's stacks, in order, then what its function left behind."""
    for stack in in_order(removal.stacks):
        cloudformation = client("cloudformation", stack.region)
        for bucket in physical_ids(cloudformation, stack.stack_id, "AWS::S3::Bucket"):
            empty_bucket(stack.region, bucket)
        say(f"Deleting {stack.name} in {stack.region}")
        cloudformation.delete_stack(StackName=stack.stack_id)
        status = settled(lambda stack=stack, cf=cloudformation: gone(cf, stack.stack_id), "StackStatus")["StackStatus"]
        if status != "DELETE_COMPLETE":
            raise Failed(f"{stack.region}: {stack.name} ended {status}")
    for region in sorted({stack.region for stack in removal.stacks}):
        logs = client("logs", region)
        for prefix in (f"/aws/lambda/{project.stack(removal.stage)}-", f"/aws/http-api/{project.stack(removal.stage)}"):
            for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
                for group in page["logGroups"]:
                    print(f"{region}: deleting the log group {group['logGroupName']}")
                    logs.delete_log_group(logGroupName=group["logGroupName"])


def carry_out(project, removals: list[Removal], apply: bool, command: str) -> None:
    for removal in removals:
        print(f"remove {removal.stage}: {removal.reason}")
        print("\n".join(f"  {stack.region}: {stack.name}" for stack in in_order(removal.stacks)))
    if not removals:
        print("nothing to remove")
    elif not apply:
        print(f"previews to remove: {len(removals)}; nothing was changed: run again with --apply ({command} APPLY=1)")
    else:
        for removal in removals:
            remove(project, removal)
        print(f"previews removed: {len(removals)}")


def remove_main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("preview-remove", __doc__)
    parser.add_argument("--branch", required=True)
    parser.add_argument("--apply", action="store_true", help="remove it (default: plan only)")
    args = parser.parse_args(argv)
    stage = stage_for(project, args.branch)
    stacks, refusals = find_previews(project)
    mine = [refusals[name] for name in (project.stack(stage), project.data_stack(stage)) if name in refusals]
    if mine:
        raise Refused("; ".join(mine))
    say(f"Plan: the preview of {args.branch} (stage {stage})")
    group = by_stage(stacks).get(stage, ())
    removals = [Removal(stage, f"asked for (branch {args.branch})", group)] if group else []
    carry_out(project, removals, args.apply, f"make preview-remove BRANCH={args.branch}")
    return 0


def reap_main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("reap", __doc__)
    parser.add_argument("--remote", default="origin", help="the git remote whose branches count (default: origin)")
    parser.add_argument("--apply", action="store_true", help="remove them (default: plan only)")
    args = parser.parse_args(argv)
    stacks, refusals = find_previews(project)
    if refusals:
        raise Refused("; ".join(refusals.values()) + ": tag it or rename it, or delete it by hand")
    removals, kept = plan_reap(project, stacks, remote_branches(project, args.remote), datetime.now(UTC))
    say(f"Plan: the previews whose branch is gone from {args.remote}, merged, or idle")
    print("\n".join(kept))
    carry_out(project, removals, args.apply, "make reap")
    return 0
