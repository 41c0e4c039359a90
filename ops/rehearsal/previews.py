"""The rehearsal's previews (docs/previews.md), against moto: two branches at once, a reap once
one branch is gone, a reap refused, and a removal by hand."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ops import data
from ops import project as projects
from ops.aws import client
from ops.cli import Failed, say
from ops.previews import deploy as preview_deploy
from ops.previews.naming import stage_for
from ops.rehearsal.commands import expect_refusal, ops_command


def stacks_of(project) -> set[tuple[str, str]]:
    """(region, stack) of every stack in moto that is neither deleted nor an empty plan's."""
    return {
        (region, summary["StackName"])
        for region in project.regions
        for page in client("cloudformation", region).get_paginator("list_stacks").paginate()
        for summary in page["StackSummaries"]
        if summary["StackStatus"] not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")
    }


def preview_stacks(project, branch: str) -> set[tuple[str, str]]:
    stage = stage_for(project, branch)
    stacks = {project.stack(stage)} | (
        {project.data_stack(stage)} if (project.root / data.TEMPLATE).is_file() else set()
    )
    return {(project.regions[0], stack) for stack in stacks}


def git_remote(work: Path, branches: tuple[str, ...]) -> Path:
    """A repository that plays the remote: main, and each branch a commit of its own ahead."""
    remote = work / "remote"
    remote.mkdir()

    def git(*argv: str) -> None:
        command = ["git", "-c", "user.name=rehearsal", "-c", "user.email=rehearsal@example.com", *argv]
        subprocess.run(command, cwd=remote, check=True, capture_output=True)

    git("init", "--quiet", "--initial-branch=main")
    git("commit", "--quiet", "--allow-empty", "-m", "main")
    for branch in branches:
        git("checkout", "--quiet", "-b", branch, "main")
        git("commit", "--quiet", "--allow-empty", "-m", branch)
    git("checkout", "--quiet", "main")
    return remote


def rehearse(project, work: Path, front: str) -> None:
    """Two branches' previews side by side, each accepted; a reap once one branch is gone
    removes exactly its preview; a stack named as a preview without the tag makes the reap
    refuse, with nothing changed; `make preview-remove` removes the other."""
    one, two = "feature/greet-in-french", "fix/Typo"
    remote = git_remote(work, (one, two))
    say(f"Previews of two branches, {one} and {two}, side by side in {project.regions[0]}")
    before = stacks_of(project)
    for branch in (one, two):
        log = work / "preview.log"
        if ops_command(project, "preview", "--branch", branch, "--endpoint", front, log=log).returncode:
            sys.stderr.write(log.read_text())
            raise Failed(f"the preview of {branch} failed")
        print(f"{branch}: {json.loads((project.root / projects.PACKAGES / preview_deploy.RECORD).read_text())}")
    with_previews = stacks_of(project)
    if with_previews != before | preview_stacks(project, one) | preview_stacks(project, two):
        raise Failed(f"the previews made {sorted(with_previews - before)}")

    say(f"{one} is deleted from the remote: a reap removes its preview, and nothing else")
    subprocess.run(["git", "branch", "--quiet", "-D", one], cwd=remote, check=True)
    log = work / "reap.log"
    if ops_command(project, "reap", "--remote", str(remote), "--apply", log=log).returncode:
        sys.stderr.write(log.read_text())
        raise Failed("the reap failed")
    print(log.read_text(), end="")
    if stacks_of(project) != with_previews - preview_stacks(project, one):
        raise Failed(f"the reap left {sorted(stacks_of(project))}")

    say("A stack named as a preview, without its tag: the reap refuses it, and nothing changes")
    stray = f"{project.service}-{project.previews['prefix']}-made-by-hand"
    cloudformation = client("cloudformation", project.regions[0])
    cloudformation.create_stack(StackName=stray, TemplateBody=json.dumps(STRAY_TEMPLATE))
    left = stacks_of(project)
    log = work / "reap-refused.log"
    result = ops_command(project, "reap", "--remote", str(remote), "--apply", log=log)
    expect_refusal(result, log, f"{stray} has no {project.previews['tag']} tag", "a stack without the preview tag")
    if stacks_of(project) != left:
        raise Failed("the refused reap changed stacks")
    cloudformation.delete_stack(StackName=stray)

    say(f"make preview-remove BRANCH={two} APPLY=1")
    if ops_command(project, "preview-remove", "--branch", two, "--apply").returncode:
        raise Failed(f"removing the preview of {two} failed")
    if stacks_of(project) != before:
        raise Failed(f"the previews left {sorted(stacks_of(project) - before)}")
    for branch in (one, two):
        shutil.rmtree(project.package_dir(stage_for(project, branch)), ignore_errors=True)


# A stack with nothing in it: all it needs is its name.
STRAY_TEMPLATE = {"Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}
