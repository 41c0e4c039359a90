"""What two tools must agree on and cannot read from one file: the artifact cargo-lambda writes
and serverless.yml deploys, the toolchain's targets. Everything else
is read from its one source (ops/project.py)."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

from conftest import ROOT

from ops import project as projects


def test_the_artifact_is_where_cargo_lambda_writes_the_function():
    """serverless.yml's artifact names the binary; it must be the handler crate's."""
    handler = tomllib.loads((ROOT / "handler" / "Cargo.toml").read_text())
    assert projects.load().binary == handler["package"]["name"]


def test_the_toolchain_can_build_for_the_functions_architecture():
    target = {"--arm64": "aarch64-unknown-linux-gnu", "--x86-64": "x86_64-unknown-linux-gnu"}
    toolchain = tomllib.loads((ROOT / "rust-toolchain.toml").read_text())["toolchain"]
    assert target[projects.load().build_flag] in toolchain["targets"]


def test_serverless_reads_its_names_from_project_yml(serverless):
    assert serverless["service"] == "${file(./project.yml):service}"
    assert "project.yml" in serverless["provider"]["stage"]
    assert "project.yml" in serverless["provider"]["region"]


def test_the_node_engine_covers_what_osls_needs():
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


def test_the_osls_plugins_find_each_stages_role_as_ops_project_names_it(project):
    """project.js resolves a stage to its role, ops/project.py a role to its stage: they agree."""
    ops_project = projects.load()
    roles = [*projects.ROLES, *(f"rehearsal.{role}" for role in project["stages"].get("rehearsal", {}))]
    expected = {ops_project.stage(role): role.removeprefix("rehearsal.") for role in roles}
    script = (
        "const { roleOf } = require('./infra/osls-plugins/project.js');"
        "const [stages, names] = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(Object.fromEntries(names.map((n) => [n, roleOf(stages, n)]))));"
    )
    names = [*expected, "a-stage-no-role-names"]
    found = subprocess.run(
        ["node", "-e", script, json.dumps([project["stages"], names])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(found.stdout) == {**expected, "a-stage-no-role-names": "default"}
