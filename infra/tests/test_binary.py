"""The packaged bootstrap starts on the Lambda OS its runtime names: it needs no glibc newer
than that OS has. A build with the host's toolchain instead of cargo-lambda's zig (which links
against an old glibc on purpose) would otherwise ship a binary that fails at init.

It reads the binary's version needs with binutils' readelf, which any machine with a C
toolchain has."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pytest
from conftest import ROOT
from test_serverless_template import only

# The glibc of each Lambda OS-only runtime ("Lambda runtimes", AWS Lambda developer guide).
LAMBDA_GLIBC = {"provided.al2023": (2, 34), "provided.al2": (2, 26)}


def glibc_needed(readelf_output: str) -> tuple[int, ...]:
    """The newest GLIBC_x.y version a binary's version-needs section names, (0,) for none."""
    versions = {tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", readelf_output)}
    return max(versions, default=(0,))


@pytest.fixture(scope="module")
def readelf_output(tmp_path_factory, serverless) -> str:
    if shutil.which("readelf") is None:
        pytest.fail("readelf is missing: install binutils (Debian: apt-get install binutils)")
    (function,) = serverless["functions"].values()
    zip_path = ROOT / function["package"]["artifact"]
    if not zip_path.is_file():
        pytest.fail(f"{zip_path} is missing: run `make package` first")
    folder = tmp_path_factory.mktemp("bootstrap")
    with zipfile.ZipFile(zip_path) as package:
        package.extract("bootstrap", folder)
    result = subprocess.run(
        ["readelf", "--version-info", "--wide", str(folder / "bootstrap")], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_the_bootstrap_needs_no_glibc_newer_than_its_runtimes_os(readelf_output, production_template):
    _, function = only(production_template, "AWS::Lambda::Function")
    runtime = function["Properties"]["Runtime"]
    assert runtime in LAMBDA_GLIBC, f"no glibc is known here for {runtime}"
    needed = glibc_needed(readelf_output)
    assert needed > (0,), "the bootstrap names no glibc version: is it the packaged Lambda binary?"
    assert needed <= LAMBDA_GLIBC[runtime], f"the bootstrap needs glibc {needed}, {runtime} has {LAMBDA_GLIBC[runtime]}"


def test_a_binary_built_against_a_newer_glibc_is_caught():
    host_build = "  0x0010:   Name: GLIBC_2.34  Flags: none  Version: 4\n  0x0020:   Name: GLIBC_2.39  Flags: none"
    assert glibc_needed(host_build) == (2, 39)
    assert glibc_needed(host_build) > LAMBDA_GLIBC["provided.al2023"]
