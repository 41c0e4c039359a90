"""Shared fixtures of the infrastructure checks: the repository, its files, its packages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))


class CloudFormationLoader(yaml.SafeLoader):
    """Reads YAML with CloudFormation's short tags (!Ref, !Sub, !GetAtt...) as plain values."""


def _tagged(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    return {name: value}


CloudFormationLoader.add_multi_constructor("!", _tagged)


def load_yaml(path: Path):
    return yaml.load(path.read_text(), Loader=CloudFormationLoader)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def project() -> dict:
    return load_yaml(ROOT / "project.yml")


@pytest.fixture(scope="session")
def serverless() -> dict:
    return load_yaml(ROOT / "serverless.yml")


@pytest.fixture(scope="session")
def circleci() -> dict:
    return load_yaml(ROOT / ".circleci" / "config.yml")


def packaged(stage: str) -> tuple[dict, dict]:
    """The compiled template and manifest of `make package STAGE=<stage>`."""
    package = ROOT / "dist" / stage
    template = package / "cloudformation-template-update-stack.json"
    if not template.exists():
        pytest.fail(f"{template} is missing: run `make package STAGE={stage}` first")
    return json.loads(template.read_text()), json.loads((package / "manifest.json").read_text())


@pytest.fixture(scope="session")
def production(project) -> tuple[dict, dict]:
    return packaged(project["stages"]["production"])


@pytest.fixture(scope="session")
def production_template(production) -> dict:
    return production[0]
