"""The CircleCI config: its references resolve, and it agrees with the rest of the project."""

from __future__ import annotations

import copy
import importlib.util
import re
import tomllib

import pytest
from conftest import ROOT
from makefile import targets_passing

from ops.package import TRAFFIC_SHIFTS

_spec = importlib.util.spec_from_file_location(
    "check_circleci_references", ROOT / "scripts" / "check-circleci-references.py"
)
references = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(references)


def jobs_of(circleci, workflow):
    for entry in circleci["workflows"][workflow]["jobs"]:
        yield (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))


def entry(circleci, workflow, job):
    return dict(jobs_of(circleci, workflow))[job]


def test_every_reference_of_the_config_resolves(circleci):
    assert references.check(circleci) == []


def test_a_matrix_expanded_name_can_be_required(circleci):
    config = copy.deepcopy(circleci)
    config["jobs"]["announce"] = {
        "executor": "deployer",
        "parameters": {"region": {"type": "string"}},
        "steps": ["checkout"],
    }
    config["workflows"]["release"]["jobs"] += [
        {"announce": {"name": "announce-<< matrix.region >>", "matrix": {"parameters": {"region": ["a", "b"]}}}},
        {"announce": {"name": "after", "region": "c", "requires": ["announce-a", "announce-b"]}},
    ]
    assert references.check(config) == []


@pytest.mark.parametrize(
    ("break_it", "problem"),
    [
        (
            lambda c: entry(c, "release", "package")["requires"].append("tests"),
            "'package' requires 'tests', which no job of the workflow is called",
        ),
        (
            lambda c: entry(c, "release", "deploy")["requires"].append("deploy-xx-nowhere-1"),
            "requires 'deploy-xx-nowhere-1'",
        ),
        (
            lambda c: c["workflows"]["release"]["jobs"].append("lint"),
            "runs job 'lint', which is not defined",
        ),
        (
            lambda c: c["jobs"]["test"].update(executor="rusty"),
            "uses executor 'rusty', which is not defined",
        ),
        (
            lambda c: c["jobs"]["test"]["steps"].append("restore-caches"),
            "uses command 'restore-caches', which is not defined",
        ),
        (
            lambda c: c["jobs"]["deploy"]["steps"].append({"run": "echo << parameters.zone >>"}),
            "job 'deploy' uses << parameters.zone >> but does not declare it",
        ),
        (
            lambda c: c["commands"]["aws-credentials"]["steps"].append({"run": "<< parameters.role >>"}),
            "command 'aws-credentials' uses << parameters.role >>",
        ),
        (
            lambda c: c["jobs"]["rollback"]["steps"].append({"run": "<< pipeline.parameters.force >>"}),
            "<< pipeline.parameters.force >> is used but not declared",
        ),
        (
            lambda c: entry(c, "release", "deploy").update(matrix={"parameters": {"zone": ["a"]}}),
            "matrix parameter 'zone' it does not declare",
        ),
    ],
)
def test_a_broken_reference_is_reported(circleci, break_it, problem):
    config = copy.deepcopy(circleci)
    break_it(config)
    assert any(problem in found for found in references.check(config)), references.check(config)


def runs(circleci, workflow):
    """Every entry of a workflow as (its run name, the job it runs, its settings)."""
    for job, settings in jobs_of(circleci, workflow):
        given = settings or {}
        yield given.get("name", job), job, given


def run_named(circleci, name):
    (found,) = [settings for run, _, settings in runs(circleci, "release") if run == name]
    return found


def stage_runs(circleci, job, stage):
    return [
        (run, settings)
        for run, kind, settings in runs(circleci, "release")
        if kind == job and settings["stage"] == stage
    ]


def test_the_release_goes_test_package_publish_qa_acceptance_approval_production(circleci):
    ((qa_run, qa_deploy),) = stage_runs(circleci, "deploy", "qa")
    ((acceptance_run, acceptance),) = stage_runs(circleci, "acceptance", "qa")
    ((_, prod_deploy),) = stage_runs(circleci, "deploy", "production")
    approvals = [(run, s) for run, _, s in runs(circleci, "release") if s.get("type") == "approval"]
    ((approval_run, approval),) = approvals
    assert run_named(circleci, "package")["requires"] == ["test"]
    assert run_named(circleci, "publish")["requires"] == ["package"]
    assert qa_deploy["requires"] == ["publish"]
    assert acceptance["requires"] == [qa_run]
    assert approval["requires"] == [acceptance_run]
    assert prod_deploy["requires"] == [approval_run]


def test_no_region_or_stage_name_is_written_in_the_config(circleci, project):
    """project.yml holds them; each deploy takes a stage role and every region in order."""
    text = (ROOT / ".circleci" / "config.yml").read_text()
    for region in project["regions"]:
        assert region not in text
    for job in ("deploy", "acceptance"):
        assert circleci["jobs"][job]["parameters"]["stage"]["enum"] == ["qa", "production"]
        commands = " ".join(
            s["run"]["command"] for s in circleci["jobs"][job]["steps"] if isinstance(s, dict) and "run" in s
        )
        assert "REGION" not in commands, job


def test_production_uses_its_own_context_and_everything_after_package_runs_only_from_main(circleci):
    contexts = {}
    for run, job, settings in runs(circleci, "release"):
        if run in ("test", "package", "preview"):
            continue
        assert settings["filters"] == {"branches": {"only": "main"}}, run
        previews = "preview" in run  # their own context (test_previews_use_a_context_of_their_own...)
        if settings.get("type") != "approval" and not previews and "aws-credentials" in circleci["jobs"][job]["steps"]:
            contexts.setdefault("production" if settings.get("stage") == "production" else "qa", set()).add(
                settings["context"]
            )
    assert len(contexts["qa"]) == len(contexts["production"]) == 1
    assert contexts["qa"] != contexts["production"]
    rollback = entry(circleci, "rollback", "rollback")
    assert {rollback["context"]} == contexts["production"]
    assert rollback["filters"] == {"branches": {"only": "main"}}


def run_commands(circleci, job) -> str:
    steps = circleci["jobs"][job]["steps"]
    return " ".join(s["run"]["command"] for s in steps if isinstance(s, dict) and "run" in s)


def test_every_branch_but_main_deploys_its_preview_from_the_zip_its_test_job_built(circleci):
    preview = run_named(circleci, "preview")
    assert preview["requires"] == ["test"]
    assert preview["filters"] == {"branches": {"ignore": "main"}}
    steps = circleci["jobs"]["preview"]["steps"]
    assert {"attach_workspace": {"at": "."}} in steps
    assert run_commands(circleci, "preview") == 'make preview BRANCH="${CIRCLE_BRANCH}"'
    assert {"store_artifacts": {"path": "dist/preview.json", "destination": "preview.json"}} in steps


def test_previews_use_a_context_of_their_own_never_qas_or_productions(circleci):
    preview_contexts = {run_named(circleci, name)["context"] for name in ("preview", "reap-previews")}
    preview_contexts.add(entry(circleci, "reap-previews", "reap-previews")["context"])
    others = {settings.get("context") for run, _, settings in runs(circleci, "release") if "preview" not in run}
    assert len(preview_contexts) == 1
    assert not preview_contexts & others


def test_main_removes_the_merged_branchs_preview_after_each_merge(circleci):
    reap = run_named(circleci, "reap-previews")
    assert reap["filters"] == {"branches": {"only": "main"}}
    assert run_commands(circleci, "reap-previews") == "make reap APPLY=1"


def test_a_scheduled_pipeline_only_reaps_and_a_release_never_runs_on_a_schedule(circleci):
    scheduled = {"equal": ["scheduled_pipeline", "<< pipeline.trigger_source >>"]}
    assert circleci["workflows"]["reap-previews"]["when"] == scheduled
    assert [job for job, _ in jobs_of(circleci, "reap-previews")] == ["reap-previews"]
    assert {"not": scheduled} in circleci["workflows"]["release"]["when"]["and"]


def test_the_release_zip_is_built_once_by_the_test_job(circleci):
    def commands(job):
        steps = circleci["jobs"][job]["steps"]
        return " ".join(s["run"]["command"] for s in steps if isinstance(s, dict) and "run" in s)

    assert commands("test") == "make test"
    assert "REUSE_ZIP=1" in commands("package")
    for job in circleci["jobs"]:
        if job not in ("test", "package"):
            assert "cargo" not in commands(job)
            assert "make package" not in commands(job)


def test_other_branches_test_and_package(circleci):
    for job in ("test", "package"):
        assert "filters" not in (entry(circleci, "release", job) or {})


def test_caches_are_keyed_on_the_lock_files_with_fallbacks(circleci):
    restores = [step["restore_cache"]["keys"] for step in circleci["commands"]["restore-tool-caches"]["steps"]]
    keys = " ".join(key for keys in restores for key in keys)
    for lock in ("Cargo.lock", "rust-toolchain.toml", "package-lock.json"):
        assert f'checksum "{lock}"' in keys
    assert all(len(keys) >= 2 and keys[-1].endswith("-") for keys in restores)


def test_the_test_job_publishes_junit_and_coverage(circleci):
    nextest = tomllib.loads((ROOT / ".config" / "nextest.toml").read_text())
    junit = f"target/nextest/ci/{nextest['profile']['ci']['junit']['path']}"
    steps = circleci["jobs"]["test"]["steps"]
    assert {"store_test_results": {"path": junit}} in steps
    artifacts = [s["store_artifacts"]["path"] for s in steps if isinstance(s, dict) and "store_artifacts" in s]
    assert artifacts == ["target/llvm-cov/html", "target/llvm-cov/lcov.info"]


def test_the_package_travels_with_its_zip(circleci, serverless):
    persisted = next(
        s["persist_to_workspace"]["paths"]
        for s in circleci["jobs"]["package"]["steps"]
        if isinstance(s, dict) and "persist_to_workspace" in s
    )
    assert "dist" in persisted
    artifact = serverless["functions"]["hello"]["package"]["artifact"]
    assert any(artifact.startswith(f"{path}/") or artifact == path for path in persisted)


def test_each_deploy_fetches_its_release_from_the_buckets(circleci):
    steps = circleci["jobs"]["deploy"]["steps"]
    assert {"attach_workspace": {"at": "."}} not in steps
    commands = " ".join(s["run"]["command"] for s in steps if isinstance(s, dict) and "run" in s)
    assert "make deploy-release COMMIT=${CIRCLE_SHA1}" in commands


def test_every_run_step_calls_make_or_a_script(circleci):
    bodies = [*circleci["jobs"].values(), *circleci["commands"].values()]
    for body in bodies:
        for step in body["steps"]:
            if isinstance(step, dict) and "run" in step:
                command = step["run"]["command"] if isinstance(step["run"], dict) else step["run"]
                assert re.match(r"(make |scripts/)", command), command


def test_the_release_strategies_ci_offers_are_the_ones_packaging_knows(circleci):
    """CircleCI's enum and ops/package.py's TRAFFIC_SHIFTS are one list, written twice."""

    assert sorted(circleci["parameters"]["release-strategy"]["enum"]) == sorted(TRAFFIC_SHIFTS)


def test_every_command_that_takes_a_stage_names_one(circleci):
    """With no stage, a target acts on project.yml's default stage: CI names the role it means."""

    takes_stage = targets_passing("STAGE_ARG")
    bodies = [*circleci["jobs"].values(), *circleci["commands"].values()]
    for body in bodies:
        for step in body["steps"]:
            if isinstance(step, dict) and "run" in step:
                command = step["run"]["command"] if isinstance(step["run"], dict) else step["run"]
                words = command.split()
                if words[:1] == ["make"] and words[1] in takes_stage:
                    assert any(word.startswith("STAGE=") for word in words), command
