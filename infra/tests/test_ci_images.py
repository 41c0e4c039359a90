"""Every CircleCI executor image brings what the scripts require, as .circleci/images.yml
records it, and that record says how it was checked."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
import yaml
from conftest import ROOT

IMAGES = ROOT / ".circleci" / "images.yml"


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(text).split("."))


def tools_sh_value(name: str) -> str:
    match = re.search(rf"^{name}=(\S+)$", (ROOT / "scripts" / "tools.sh").read_text(), re.MULTILINE)
    assert match, f"scripts/tools.sh does not set {name}"
    return match.group(1)


@pytest.fixture(scope="module")
def images() -> dict:
    return yaml.safe_load(IMAGES.read_text())


@pytest.fixture(scope="module")
def executor_images(circleci) -> dict[str, str]:
    return {name: executor["docker"][0]["image"] for name, executor in circleci["executors"].items()}


def test_every_executor_image_is_pinned_and_recorded(executor_images, images):
    for name, image in executor_images.items():
        assert re.fullmatch(r"cimg/[a-z]+:\d+\.\d+\.\d+(-node)?", image), f"{name}: {image} is not a pinned tag"
        assert image in images, f"{image} ({name}) is not in .circleci/images.yml"
    assert set(images) == set(executor_images.values()), "images.yml records an image no executor uses"


def test_every_record_says_how_it_was_checked(images):
    for image, record in images.items():
        assert len(record.get("checked", "")) > 40, f"{image}: say how its tools' versions were checked"


def test_every_image_brings_the_node_that_package_json_requires(images):
    wanted = json.loads((ROOT / "package.json").read_text())["engines"]["node"]
    assert wanted.startswith(">=")
    for image, record in images.items():
        assert version(record["node"]) >= version(wanted.removeprefix(">=")), (
            f"{image}: Node {record['node']}, {wanted} needed"
        )


def test_every_image_brings_the_python_that_tools_sh_requires(images):
    minimum = version(tools_sh_value("PYTHON_MINIMUM"))
    for image, record in images.items():
        assert version(record["python"]) >= minimum, f"{image}: Python {record['python']}"


def test_every_image_can_install_the_pinned_rust_toolchain(images):
    """rust-toolchain.toml's channel comes from rustup: the image's, or the one tools.sh installs."""
    channel = tomllib.loads((ROOT / "rust-toolchain.toml").read_text())["toolchain"]["channel"]
    for image, record in images.items():
        if record["rustup"]:
            assert str(record.get("rust", channel)) == channel, f"{image} brings Rust {record['rust']}"
        else:
            assert re.fullmatch(r"\d+\.\d+\.\d+", tools_sh_value("RUSTUP_VERSION"))
