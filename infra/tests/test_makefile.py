"""Every make target installs the tools it runs, with the installers `make test` uses
(scripts/tools.sh), so that any target works on a machine that has none of them yet."""

from __future__ import annotations

import re

import pytest
from makefile import installed_by, recipes

# What a recipe line runs, and the kinds of scripts/tools.sh that bring it.
NEEDS = [
    (r"\bcargo (llvm-cov|nextest)\b", {"rust", "cargo-tools"}),
    (r"\bcargo\b", {"rust"}),
    (r"\bcargo lambda\b", {"python"}),  # cargo-lambda is a pinned PyPI package
    (r"\$\(OPS\) (package|rehearse)\b", {"rust", "python", "node"}),
    (r"\$\(OPS\) (deploy|deploy-release)\b", {"python", "node"}),
    (r"\$\(OPS\)|\bruff\b|\bpytest\b|check-jsonschema|\bshellcheck\b|\buv\b|python3 scripts/", {"python"}),
]
RECIPES = recipes()


def needed_by(recipe: list[str]) -> set[str]:
    return {kind for line in recipe for pattern, kinds in NEEDS if re.search(pattern, line) for kind in kinds}


@pytest.mark.parametrize("target", [target for target, recipe in RECIPES.items() if recipe])
def test_a_target_installs_what_it_runs(target):
    assert needed_by(RECIPES[target]) <= installed_by(RECIPES[target])


def test_make_run_installs_with_the_installers_make_test_uses():
    """`make run` on a machine without Rust or cargo-lambda installs both, as `make test` does
    (its first prerequisite, `tools`)."""
    assert {"rust", "python"} <= installed_by(RECIPES["run"]) <= installed_by(RECIPES["tools"])


def test_the_check_finds_a_target_that_runs_cargo_without_installing_rust():
    recipe = ["scripts/tools.sh python", "cargo lambda watch"]
    assert needed_by(recipe) - installed_by(recipe) == {"rust"}
