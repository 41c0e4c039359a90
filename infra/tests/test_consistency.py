"""The project's files agree with each other, so a change in one place cannot silently break
another."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT


def shell_value(path, name):
    match = re.search(rf"^{name}=(.+)$", (ROOT / path).read_text(), re.MULTILINE)
    assert match, f"{name} is not set in {path}"
    return match.group(1)


def test_the_artifact_is_where_cargo_lambda_writes_the_function(serverless):
    binary = shell_value("scripts/lib.sh", "FUNCTION_BINARY")
    handler = tomllib.loads((ROOT / "handler" / "Cargo.toml").read_text())
    assert handler["package"]["name"] == binary
    expected = f"target/lambda/{binary}/bootstrap.zip"
    assert serverless["functions"]["hello"]["package"]["artifact"] == expected
    assert shell_value("scripts/lib.sh", "FUNCTION_ZIP").replace("$FUNCTION_BINARY", binary) == expected


def test_the_build_matches_the_functions_architecture(serverless):
    architecture = serverless["provider"].get("architecture", "x86_64")
    build_flag, target = {
        "arm64": ("--arm64", "aarch64-unknown-linux-gnu"),
        "x86_64": ("--x86-64", "x86_64-unknown-linux-gnu"),
    }[architecture]
    assert build_flag in (ROOT / "scripts" / "package.sh").read_text()
    toolchain = tomllib.loads((ROOT / "rust-toolchain.toml").read_text())["toolchain"]
    assert target in toolchain["targets"]


def test_serverless_reads_its_names_from_project_yml(serverless):
    assert serverless["service"] == "${file(./project.yml):service}"
    assert "project.yml" in serverless["provider"]["stage"]
    assert "project.yml" in serverless["provider"]["region"]


def test_the_alarms_watch_the_alias_the_plugin_creates(serverless):
    alias = serverless["functions"]["hello"]["deploymentSettings"]["alias"]
    for name in serverless["functions"]["hello"]["deploymentSettings"]["alarms"]:
        (resources,) = [part["Resources"] for part in serverless["resources"] if "Resources" in part]
        alarm = resources[name]
        dimensions = {d["Name"]: d["Value"] for d in alarm["Properties"].get("Dimensions", [])}
        if "Resource" in dimensions:
            assert dimensions["Resource"] == {"Fn::Sub": f"${{HelloLambdaFunction}}:{alias}"}
    assert f'ALIAS = "{alias}"' in (ROOT / "scripts" / "rollback.py").read_text()
    assert "--qualifier live" in (ROOT / "scripts" / "deploy.sh").read_text()


def test_the_rehearsal_stages_are_the_only_ones_without_traffic_shifting(serverless, project):
    shifted = serverless["custom"]["deploymentSettings"]["stages"]
    for stage in ("default", "qa", "production"):
        assert f"${{file(./project.yml):stages.{stage}}}" in shifted
    assert not any("rehearsal" in entry for entry in shifted)
    ordinary = {project["stages"][stage] for stage in ("default", "qa", "production")}
    assert not ordinary & set(project["stages"]["rehearsal"].values())


def test_the_node_engine_covers_what_osls_needs():
    import json

    package = json.loads((ROOT / "package.json").read_text())
    wanted = tuple(int(part) for part in package["engines"]["node"].removeprefix(">=").split("."))
    assert wanted >= (22, 0), (
        "Node 20 is out of support, and AWS SDK for JavaScript releases after early January 2027 need 22"
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["devDependencies"]["osls"])


def test_the_release_profile_is_complete_and_keeps_unwinding():
    """cargo-lambda fills any release-profile key Cargo.toml leaves out with its own default,
    panic = "abort" among them, and an aborting function loses its warm process on a panic."""
    profile = tomllib.loads((ROOT / "Cargo.toml").read_text())["profile"]["release"]
    assert {"opt-level", "lto", "codegen-units", "strip", "panic"} <= profile.keys()
    assert profile["panic"] == "unwind"


def test_the_makefile_names_no_stage_so_project_yml_decides():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^STAGE \?=\s*$", makefile, re.MULTILINE), "STAGE must default to project.yml's production stage"
    # Only STAGE_ARG passes it on, and only when a person set it.
    assert makefile.count("--stage $(STAGE)") == 1
    assert "STAGE_ARG = $(if $(STAGE),--stage $(STAGE))" in makefile
