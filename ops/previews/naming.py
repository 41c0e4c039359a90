"""A branch's preview stage name, and the tag its stacks carry.

The name is `<prefix>-<the branch, lower-cased, cut to fit>-<hash of the branch>`. The hash is
always there: lower-casing and replacing what a name cannot hold loses information as cutting
does (`feat/x` and `Feat-X` would meet), so the hash of the exact branch is what keeps two
branches apart. The length is the room left by the tightest name AWS builds from a stage.
"""

from __future__ import annotations

import hashlib
import re

from ops.cli import Refused
from ops.project import ProjectError

HASH_LENGTH = 8
# What a stack tag's value may hold (AWS's tagging rules); anything else becomes "_".
TAG_VALUE = re.compile(r"[^\w .:/=+@-]")
TAG_VALUE_LENGTH = 256


def name_limits(project) -> dict[str, int]:
    """The room each name built from a preview stage leaves the stage: osls names the
    function's role `<service>-<stage>-<region>-lambdaRole` (64 characters for an IAM role) and
    the function `<service>-<stage>-<function>` (64); the stacks `<service>-<stage>` and the
    data stack (128); the table (255). infra/tests/test_previews.py checks them against a
    compiled preview."""
    region = project.regions[0]
    return {
        "the function's role": 64 - len(f"{project.service}--{region}-lambdaRole"),
        "the function": 64 - len(f"{project.service}--{project.function_key}"),
        "the data stack": 128 - len(project.data_stack("")),
        "the table": 255 - len(project.table_name("")),
    }


def longest_stage(project) -> int:
    return min(name_limits(project).values())


def stage_for(project, branch: str) -> str:
    """The preview stage of `branch`: the same branch always gives the same stage, and two
    branches never the same one."""
    if not branch or branch != branch.strip():
        raise Refused(f"a preview needs a branch name, not {branch!r}")
    prefix = project.previews["prefix"]
    digest = hashlib.sha256(branch.encode()).hexdigest()[:HASH_LENGTH]
    room = longest_stage(project) - len(prefix) - len(digest) - 2
    if room < 1:
        raise ProjectError(
            f"previews.prefix {prefix!r} and the service name {project.service!r} leave no room for a branch "
            f"in a preview's names (at most {longest_stage(project)} characters): shorten one"
        )
    slug = re.sub(r"[^a-z0-9]+", "-", branch.lower()).strip("-")[:room].rstrip("-")
    return "-".join(part for part in (prefix, slug, digest) if part)


def tag_value(branch: str) -> str:
    """The branch as a stack tag can hold it: for people to read. What a preview's branch is,
    the ops code decides from its stage name (stage_for), never from this value."""
    return TAG_VALUE.sub("_", branch)[:TAG_VALUE_LENGTH]
