"""What tools that AWS and the community publish say of the compiled stages and infra/*.yml:
cfn-lint with AWS's serverless rules (cfn-lint-serverless) reports nothing, and checkov fails
no check. Every checkov suppression sits in the template's metadata with its reason."""

from __future__ import annotations

import copy
import json
import subprocess

import pytest
from conftest import ROOT, lint, packaged

from ops import data
from ops import project as projects

CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
# infra/data.yml is checked as ops.data renders it for a stage, with its replicas.
INFRA_TEMPLATES = sorted(
    p for p in (ROOT / "infra").glob("*.yml") if "AWSTemplateFormatVersion" in p.read_text() and p.name != "data.yml"
)
STAGES = ["qa", "production"]
# One worker runs this module's tests (`make check-config` passes --dist loadgroup), and the
# reports are the session's, so that checkov, whose start alone takes seconds, reads the
# templates once: not once per worker, nor again each time xdist interleaves another module.
pytestmark = pytest.mark.xdist_group("checkov")


@pytest.fixture(scope="session")
def data_templates(tmp_path_factory, project) -> list:
    """Each stage's data stack, as ops.data deploys it."""
    ops_project = projects.load()
    folder = tmp_path_factory.mktemp("data")
    paths = []
    if not (ops_project.root / data.TEMPLATE).is_file():
        return paths
    for stage in STAGES:
        path = folder / f"data-{stage}.json"
        path.write_text(json.dumps(data.template(ops_project, project["stages"][stage]), indent=1))
        paths.append(path)
    return paths


def stage_template(project, stage: str):
    packaged(project["stages"][stage])
    return projects.template_of(projects.load().package_dir(project["stages"][stage]))


def checkov(*paths) -> list[dict]:
    """checkov's reports, one per file, offline (--skip-download)."""
    command = [str(CHECKOV), "--framework", "cloudformation", "--skip-download", "--output", "json"]
    for path in paths:
        command += ["--file", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    reports = json.loads(result.stdout)
    return reports if isinstance(reports, list) else [reports]


@pytest.fixture(scope="session")
def checkov_reports(project, data_templates) -> list[dict]:
    return checkov(*(stage_template(project, stage) for stage in STAGES), *INFRA_TEMPLATES, *data_templates)


@pytest.mark.parametrize("stage", STAGES)
def test_aws_serverless_rules_find_nothing_in_a_compiled_stage(project, stage):
    assert lint(stage_template(project, stage), serverless_rules=True) == []


def test_aws_serverless_rules_find_nothing_in_the_infra_templates(data_templates):
    assert lint(*INFRA_TEMPLATES, *data_templates, serverless_rules=True) == []


def test_the_serverless_rules_are_the_ones_running(project, tmp_path):
    """A stage whose function is not actively traced is flagged (WS1000)."""
    template = json.loads(stage_template(project, "production").read_text())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            resource["Properties"].pop("TracingConfig")
    untraced = tmp_path / "untraced.json"
    untraced.write_text(json.dumps(template))
    assert any("WS1000" in finding for finding in lint(untraced, serverless_rules=True))


def test_checkov_fails_no_check_of_the_stages_or_the_infra_templates(checkov_reports, project):
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']})"
        for report in checkov_reports
        for check in report["results"]["failed_checks"]
    ]
    assert failed == []
    checked = {
        check["file_path"].rsplit("/", 2)[-2:][0] + "/" + check["file_path"].rsplit("/", 1)[-1]
        for report in checkov_reports
        for kind in ("passed_checks", "skipped_checks")
        for check in report["results"][kind]
    }
    expected = {f"{project['stages'][stage]}/{projects.TEMPLATE}" for stage in STAGES}
    expected |= {f"infra/{path.name}" for path in INFRA_TEMPLATES}
    assert expected <= checked, "checkov did not read every file"


def test_every_checkov_suppression_says_why(checkov_reports):
    skipped = [check for report in checkov_reports for check in report["results"]["skipped_checks"]]
    assert skipped, "no suppression was read: their metadata is not where checkov looks"
    for check in skipped:
        reason = check["check_result"].get("suppress_comment") or ""
        assert len(reason) > 40, f"{check['check_id']} on {check['resource']} says no reason"


def test_checkov_finds_a_deployment_bucket_left_open(project, tmp_path):
    template = json.loads(stage_template(project, "production").read_text())
    opened = copy.deepcopy(template)
    opened["Resources"]["ServerlessDeploymentBucket"]["Properties"].pop("PublicAccessBlockConfiguration")
    path = tmp_path / "opened.json"
    path.write_text(json.dumps(opened))
    (report,) = checkov(path)
    assert {"CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"} <= {
        check["check_id"] for check in report["results"]["failed_checks"]
    }
