"""Packaging a stage in a copy of the project whose project.yml a test has changed, as a fork
would change it: for checks of what project.yml's settings do to the compiled template."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml
from conftest import ROOT

from ops import project as projects


def package_with_project(tmp_path: Path, stage: str, edit: Callable[[dict], None]) -> tuple[int, str, dict | None]:
    """`sls package` of `stage` after `edit` changed project.yml: (exit code, output, template)."""
    copy_root = tmp_path / "project"
    copy_root.mkdir()
    for name in ("serverless.yml", "package.json", "infra"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy_root / name)
    project = copy.deepcopy(projects.load().settings)
    edit(project)
    (copy_root / "project.yml").write_text(yaml.safe_dump(project))
    (copy_root / "node_modules").symlink_to(ROOT / "node_modules")
    (copy_root / "target").symlink_to(ROOT / "target")
    result = subprocess.run(
        ["sls", "package", "--stage", stage, "--region", project["regions"][0], "--package", str(tmp_path / "out")],
        cwd=copy_root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SLS_TELEMETRY_DISABLED": "1"},
    )
    template = projects.template_of(tmp_path / "out")
    loaded = json.loads(template.read_text()) if result.returncode == 0 else None
    return result.returncode, result.stdout + result.stderr, loaded
