"""A branch's preview (docs/previews.md): its stage name, what its package leaves out, and its
removal, against moto: a preview is found only by both its name and its tag, a reap removes
exactly the previews whose branch is gone, merged or idle, and a removal leaves nothing that
costs money."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from conftest import ROOT, cfn_lint, live_stacks
from stage_packaging import package_with_project

from ops import data
from ops import project as projects
from ops.aws import physical_ids
from ops.cli import Refused, run
from ops.previews import naming, teardown

PROJECT = projects.load()
REGION = PROJECT.regions[0]
BRANCHES = [
    "main-fix",
    "feature/greet-in-french",
    "Feature/Greet-In-French",
    "feature-greet-in-french",
    "dependabot/cargo/aws-sdk-dynamodb-1.136.0",
    "fix/ünïcödé-and spaces?",
    "x" * 250,
    "----",
    "a/" * 60,
]
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
WITHIN_LIMIT = timedelta(days=PROJECT.previews["maxIdleDays"]) - timedelta(hours=1)
PAST_LIMIT = timedelta(days=PROJECT.previews["maxIdleDays"]) + timedelta(hours=1)


# ---- the name --------------------------------------------------------------------------------


def test_the_same_branch_always_gets_the_same_stage():
    assert naming.stage_for(PROJECT, "feature/greet") == naming.stage_for(PROJECT, "feature/greet")


def test_branches_that_read_alike_get_stages_of_their_own():
    assert len({naming.stage_for(PROJECT, branch) for branch in BRANCHES}) == len(BRANCHES)


@pytest.mark.parametrize("branch", BRANCHES)
def test_every_stage_is_a_preview_that_fits_every_name_aws_builds_from_it(branch):
    stage = naming.stage_for(PROJECT, branch)
    assert re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", stage), stage
    assert "--" not in stage
    assert PROJECT.is_preview(stage)
    assert len(stage) <= naming.longest_stage(PROJECT)


def test_a_blank_branch_is_refused():
    for branch in ("", " feature"):
        with pytest.raises(Refused):
            naming.stage_for(PROJECT, branch)


def test_a_tag_value_keeps_what_a_tag_may_hold():
    assert naming.tag_value("feature/greet-in_french@2") == "feature/greet-in_french@2"
    assert naming.tag_value("fix#1*?") == "fix_1__"


# ---- the package -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def longest_preview(tmp_path_factory) -> dict:
    """The compiled template of the preview whose branch gives the longest stage."""
    stage = naming.stage_for(PROJECT, "x" * 250)
    code, output, template = package_with_project(tmp_path_factory.mktemp("preview"), stage, lambda _: None)
    assert code == 0, output
    return template


def resources_of(template: dict, resource_type: str) -> list[dict]:
    return [r for r in template["Resources"].values() if r["Type"] == resource_type]


def test_the_longest_previews_role_and_function_names_fit_lambdas_and_iams_limits(longest_preview):
    (function,) = resources_of(longest_preview, "AWS::Lambda::Function")
    assert len(function["Properties"]["FunctionName"]) <= 64
    roles = [r for r in resources_of(longest_preview, "AWS::IAM::Role") if "RoleName" in r["Properties"]]
    for role in roles:
        separator, parts = role["Properties"]["RoleName"]["Fn::Join"]
        name = separator.join(REGION if part == {"Ref": "AWS::Region"} else part for part in parts)
        assert len(name) <= 64, name


def test_a_preview_has_no_dashboard_no_alarms_no_canary_and_no_domain(longest_preview):
    kinds = {r["Type"] for r in longest_preview["Resources"].values()}
    assert not kinds & {"AWS::CloudWatch::Dashboard", "AWS::CloudWatch::Alarm", "AWS::Lambda::Alias"}
    assert not [kind for kind in kinds if kind.startswith(("AWS::CodeDeploy::", "AWS::Route53::"))]
    assert "DashboardUrl" not in longest_preview.get("Outputs", {})
    assert "HttpApiUrl" in longest_preview["Outputs"]


def test_a_previews_template_passes_cfn_lint_with_nothing_left_naming_what_it_left_out(longest_preview, tmp_path):
    assert cfn_lint(longest_preview, tmp_path) == []


def test_a_preview_keeps_its_alarms_where_project_yml_asks(tmp_path):
    stage = naming.stage_for(PROJECT, "feature/alarmed")
    code, output, template = package_with_project(
        tmp_path, stage, lambda project: project["previews"].update(alarms=True)
    )
    assert code == 0, output
    assert resources_of(template, "AWS::CloudWatch::Alarm")
    assert not resources_of(template, "AWS::CloudWatch::Dashboard")


def test_the_stages_ci_deploys_keep_their_dashboards(production_template):
    assert resources_of(production_template, "AWS::CloudWatch::Dashboard")


@pytest.mark.skipif(not (ROOT / data.TEMPLATE).is_file(), reason="this project keeps no data")
def test_a_previews_table_has_one_replica_in_the_first_region_and_no_protection():
    table = data.template(PROJECT, naming.stage_for(PROJECT, "feature/x"))["Resources"]["GreetingsTable"]
    assert [r["Region"] for r in table["Properties"]["Replicas"]] == [REGION]
    assert not table["Properties"]["Replicas"][0]["DeletionProtectionEnabled"]
    assert table.get("DeletionPolicy", "Delete") == "Delete"


def test_a_plain_deploy_of_a_preview_stage_is_refused():
    from ops import deploy

    stage = naming.stage_for(PROJECT, "feature/x")
    assert run(deploy.main, ["--stage", stage]) == 2


# ---- what a reap decides -----------------------------------------------------------------------


def preview_stack(branch: str, idle: timedelta, *, data_stack: bool = False) -> teardown.PreviewStack:
    stage = naming.stage_for(PROJECT, branch)
    name = PROJECT.data_stack(stage) if data_stack else PROJECT.stack(stage)
    return teardown.PreviewStack(name, f"id-{name}", REGION, stage, branch, NOW - idle)


def reaped(stacks, branches) -> list[str]:
    removals, _ = teardown.plan_reap(PROJECT, stacks, branches, NOW)
    return [removal.stage for removal in removals]


def test_a_preview_whose_branch_is_gone_from_the_remote_is_reaped_with_its_data_stack():
    stacks = [preview_stack("gone", WITHIN_LIMIT), preview_stack("gone", WITHIN_LIMIT, data_stack=True)]
    removals, _ = teardown.plan_reap(PROJECT, stacks, {"other": False}, NOW)
    assert [(r.stage, len(r.stacks)) for r in removals] == [(naming.stage_for(PROJECT, "gone"), 2)]
    assert "gone from the remote" in removals[0].reason


def test_a_preview_whose_branch_is_merged_is_reaped():
    assert reaped([preview_stack("done", WITHIN_LIMIT)], {"done": True}) == [naming.stage_for(PROJECT, "done")]


def test_a_preview_idle_past_the_limit_is_reaped():
    assert reaped([preview_stack("stale", PAST_LIMIT)], {"stale": False}) == [naming.stage_for(PROJECT, "stale")]


def test_a_live_branchs_recent_preview_is_kept():
    assert reaped([preview_stack("open", WITHIN_LIMIT)], {"open": False}) == []


def test_a_recent_deploy_of_either_stack_keeps_a_preview():
    stacks = [preview_stack("open", WITHIN_LIMIT), preview_stack("open", PAST_LIMIT, data_stack=True)]
    assert reaped(stacks, {"open": False}) == []


# ---- the remote's branches ---------------------------------------------------------------------


def git(cwd, *argv: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *argv], cwd=cwd, check=True)


@pytest.fixture
def remote(tmp_path) -> str:
    """A repository with one branch, main, as a remote."""
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    git(tmp_path, "commit", "--quiet", "--allow-empty", "-m", "first")
    return str(tmp_path)


def test_the_remotes_branches_but_its_default_one_each_merged_or_not(remote, tmp_path):
    git(tmp_path, "checkout", "--quiet", "-b", "feature/done")
    git(tmp_path, "commit", "--quiet", "--allow-empty", "-m", "done")
    git(tmp_path, "checkout", "--quiet", "main")
    git(tmp_path, "merge", "--quiet", "--no-ff", "-m", "merge", "feature/done")
    git(tmp_path, "checkout", "--quiet", "-b", "feature/open")
    git(tmp_path, "commit", "--quiet", "--allow-empty", "-m", "open")
    git(tmp_path, "checkout", "--quiet", "main")
    local = projects.Project(tmp_path, PROJECT.settings, PROJECT.serverless)
    assert teardown.remote_branches(local, remote) == {"feature/done": True, "feature/open": False}


def test_an_unreachable_remote_fails_the_reap_before_anything_changes(tmp_path):
    local = projects.Project(tmp_path, PROJECT.settings, PROJECT.serverless)
    with pytest.raises(Exception, match="git ls-remote"):
        teardown.remote_branches(local, str(tmp_path / "nowhere"))


# ---- against moto ------------------------------------------------------------------------------

BUCKET_STACK = {
    "Resources": {
        "ServerlessDeploymentBucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"VersioningConfiguration": {"Status": "Enabled"}},
        }
    }
}


def make_stack(name: str, tags: dict[str, str]) -> None:
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=name,
        TemplateBody=json.dumps(BUCKET_STACK),
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )


def make_preview(branch: str) -> str:
    """A preview's two stacks, tagged as `make preview` tags them; its bucket holds two versions
    of a package and a delete marker, and its function a log group."""
    stage = naming.stage_for(PROJECT, branch)
    tag = {PROJECT.previews["tag"]: naming.tag_value(branch)}
    make_stack(PROJECT.stack(stage), tag)
    make_stack(PROJECT.data_stack(stage), tag)
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    (bucket,) = physical_ids(cloudformation, PROJECT.stack(stage), "AWS::S3::Bucket")
    s3 = boto3.client("s3", region_name=REGION)
    for body in (b"one", b"two"):
        s3.put_object(Bucket=bucket, Key="serverless/package.zip", Body=body)
    s3.delete_object(Bucket=bucket, Key="serverless/package.zip")
    boto3.client("logs", region_name=REGION).create_log_group(
        logGroupName=f"/aws/lambda/{PROJECT.stack(stage)}-{PROJECT.function_key}"
    )
    return stage


def log_groups() -> list[str]:
    return [g["logGroupName"] for g in boto3.client("logs", region_name=REGION).describe_log_groups()["logGroups"]]


def test_removing_a_preview_empties_its_bucket_and_leaves_no_stack_or_log_group(aws):
    stage = make_preview("feature/x")
    kept = make_preview("feature/y")
    make_stack(f"{PROJECT.service}-qa", {})
    assert run(teardown.remove_main, ["--branch", "feature/x", "--apply"]) == 0
    assert live_stacks([REGION])[REGION] == sorted(
        [PROJECT.stack(kept), PROJECT.data_stack(kept), f"{PROJECT.service}-qa"]
    )
    assert not [group for group in log_groups() if stage in group]
    assert [group for group in log_groups() if kept in group]
    buckets = [bucket["Name"] for bucket in boto3.client("s3", region_name=REGION).list_buckets()["Buckets"]]
    assert not [bucket for bucket in buckets if stage in bucket]


def test_a_removal_without_apply_plans_and_changes_nothing(aws, capsys):
    stage = make_preview("feature/x")
    assert run(teardown.remove_main, ["--branch", "feature/x"]) == 0
    assert "nothing was changed: run again with --apply" in capsys.readouterr().out
    assert live_stacks([REGION])[REGION] == sorted([PROJECT.stack(stage), PROJECT.data_stack(stage)])


@pytest.mark.parametrize(
    "stray",
    [
        (f"{PROJECT.service}-{PROJECT.previews['prefix']}-by-hand", {}, "has no"),
        (f"{PROJECT.service}-qa", {PROJECT.previews["tag"]: "qa"}, "is tagged"),
    ],
)
def test_a_stack_with_one_mark_of_a_preview_is_refused_and_the_reap_changes_nothing(aws, capsys, remote, stray):
    name, tags, says = stray
    gone = make_preview("feature/gone")
    make_stack(name, tags)
    before = live_stacks([REGION])
    assert run(teardown.reap_main, ["--remote", remote, "--apply"]) == 2
    assert f"{name} {says}" in capsys.readouterr().err
    assert live_stacks([REGION]) == before
    assert PROJECT.stack(gone) in before[REGION]


def test_another_services_stacks_are_neither_reaped_nor_refused(aws, remote):
    make_stack("someone-else-preview-x", {PROJECT.previews["tag"]: "x"})
    assert run(teardown.reap_main, ["--remote", remote, "--apply"]) == 0
    assert live_stacks([REGION])[REGION] == ["someone-else-preview-x"]


def test_removing_a_preview_whose_stack_lacks_the_tag_is_refused(aws):
    stage = naming.stage_for(PROJECT, "feature/x")
    make_stack(PROJECT.stack(stage), {})
    assert run(teardown.remove_main, ["--branch", "feature/x", "--apply"]) == 2
    assert live_stacks([REGION])[REGION] == [PROJECT.stack(stage)]
