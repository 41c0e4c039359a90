"""Shared fixtures of the infrastructure checks: the repository, its files, its packages."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest
from cfnlint.decode.cfn_yaml import load as load_cfn_yaml
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "infra"))


from ops import project as projects  # noqa: E402
from ops.artifacts import MANIFEST  # noqa: E402


def live_stacks(regions: list[str]) -> dict[str, list[str]]:
    """The stacks of each region (of moto, under the `aws` fixture) that exist and are not an
    empty plan's leftovers (REVIEW_IN_PROGRESS)."""
    import boto3

    found = {}
    for region in regions:
        summaries = boto3.client("cloudformation", region_name=region).list_stacks()["StackSummaries"]
        found[region] = sorted(
            s["StackName"] for s in summaries if s["StackStatus"] not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")
        )
    return found


def lint(*paths: Path, serverless_rules: bool = False) -> list[str]:
    """What cfn-lint reports of each file, as its command line would (errors and warnings), and
    AWS's serverless rules too (cfn-lint-serverless) where asked: nothing, when they pass. Run in
    this process through cfn-lint's API, because each command line loads its schemas again,
    which took a second a file."""
    from cfnlint.api import ManualArgs, lint_file

    config = ManualArgs(append_rules=["cfn_lint_serverless.rules"]) if serverless_rules else None
    return [str(match) for path in paths for match in lint_file(Path(path), config)]


def cfn_lint(template: dict, folder: Path) -> list[str]:
    """What cfn-lint reports of a compiled template (written into `folder`): nothing, when it
    passes."""
    path = folder / "template.json"
    path.write_text(json.dumps(template))
    return lint(path)


def load_yaml(path: Path):
    """A YAML file of the repository as CloudFormation reads it, short tags (!Ref, !GetAtt...)
    in their long forms: cfn-lint's own decoder."""
    return load_cfn_yaml(str(path))


@pytest.fixture
def aws(monkeypatch):
    """moto's AWS, in this process: no endpoint, profile or real credentials can leak in."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def project() -> dict:
    """project.yml as the ops code reads it (ops.project, its one reader)."""
    return copy.deepcopy(projects.load().settings)


@pytest.fixture(scope="session")
def serverless() -> dict:
    return load_yaml(ROOT / "serverless.yml")


@pytest.fixture(scope="session")
def circleci() -> dict:
    return load_yaml(ROOT / ".circleci" / "config.yml")


def packaged(stage: str) -> tuple[dict, dict]:
    """The compiled template and manifest of `make package STAGE=<stage>`."""
    package = projects.load().package_dir(stage)
    template = projects.template_of(package)
    if not template.exists():
        pytest.fail(f"{template} is missing: run `make package STAGE={stage}` first")
    return json.loads(template.read_text()), json.loads((package / MANIFEST).read_text())


@pytest.fixture(scope="session")
def production(project) -> tuple[dict, dict]:
    return packaged(project["stages"]["production"])


@pytest.fixture(scope="session")
def production_template(production) -> dict:
    return production[0]


@pytest.fixture(scope="session")
def production_with_domain(tmp_path_factory, project) -> dict:
    """The production template packaged with a domain (the DNS layer), once for every test."""
    # Imported here, not at the top: dns_helpers imports this module.
    from dns_helpers import package_with_domain

    return package_with_domain(tmp_path_factory.mktemp("domain"), project["stages"]["production"])
