"""The one reader of project.yml and serverless.yml, and every name the ops code derives from
them: the stack of a stage, the function's zip, its release keys, the live alias. Each of these
is written once, here or in those two files; no other module builds one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

import yaml

from ops.artifacts import MANIFEST
from ops.cli import Failed

ROOT = Path(__file__).resolve().parents[1]
# Where every release is published in a region's release bucket, one folder per commit.
RELEASES = "releases"
# Where `make package` writes each stage's package, one folder per stage, locally and in a release.
PACKAGES = "dist"
# The CloudFormation template osls writes into a package folder.
TEMPLATE = "cloudformation-template-update-stack.json"
# The stage roles project.yml's `stages` names; a rehearsal stage plays its counterpart.
ROLES = ("qa", "production", "default")
FILE_VARIABLE = re.compile(r"\$\{file\(\./(?P<path>[^)]+)\):(?P<keys>[\w.]+)\}")


class ProjectError(Failed):
    """project.yml or serverless.yml does not say what the ops code needs, or a command asked
    for what they do not name; the message says which. It ends a command as one line."""


class _IgnoreTags(yaml.SafeLoader):
    """Reads serverless.yml's CloudFormation short tags (!Sub, !Ref) as their plain values: the
    ops code reads only untagged keys of it."""


_IgnoreTags.add_multi_constructor(
    "!",
    lambda loader, _suffix, node: (
        loader.construct_scalar(node)
        if isinstance(node, yaml.ScalarNode)
        else loader.construct_sequence(node, deep=True)
        if isinstance(node, yaml.SequenceNode)
        else loader.construct_mapping(node, deep=True)
    ),
)


def read_yaml(path: Path):
    """A YAML file of this repository, CloudFormation's tags read as plain values."""
    return yaml.load(path.read_text(), Loader=_IgnoreTags)  # noqa: S506 (a SafeLoader)


@dataclass(frozen=True)
class Project:
    """project.yml and the function of serverless.yml, with the names derived from them."""

    root: Path
    settings: dict
    serverless: dict

    @property
    def service(self) -> str:
        return self.settings["service"]

    @property
    def regions(self) -> list[str]:
        return list(self.settings["regions"])

    @property
    def health_path(self) -> str:
        return self.settings["health_path"]

    def stage(self, role: str) -> str:
        """The stage name of a role: `qa`, `production`, `default`, or `rehearsal.qa`."""
        value = self.settings["stages"]
        for part in role.split("."):
            if not isinstance(value, dict) or part not in value:
                raise ProjectError(f"project.yml names no stage for the role {role} (stages.{role})")
            value = value[part]
        return value

    def stage_named(self, given: str | None) -> str:
        """The stage a command was given, by name or by role; project.yml's default stage when
        none, so that production is reached only by naming it."""
        if not given:
            return self.stage("default")
        return self.stage(given) if given in ROLES else given

    def stack(self, stage: str) -> str:
        """The stack osls deploys a stage as: `<service>-<stage>`."""
        return f"{self.service}-{stage}"

    def data_stack(self, stage: str) -> str:
        """The stack that holds a stage's global table, in the first region (infra/data.yml)."""
        return f"{self.service}-{stage}-data"

    def table_name(self, stage: str) -> str:
        """The stage's greetings table, the same name in every region. serverless.yml builds
        the same name for the function (a test holds the two together)."""
        return f"{self.service}-{stage}-greetings"

    def is_production(self, stage: str) -> bool:
        """Whether `stage` plays production: its data is protected from deletion."""
        return stage in (self.stage("production"), self.settings["stages"].get("rehearsal", {}).get("production"))

    @property
    def previews(self) -> dict:
        """project.yml's `previews` (docs/previews.md); a fork without previews has none."""
        found = self.settings.get("previews")
        if not found:
            raise ProjectError("project.yml has no `previews`: this project deploys no branch previews")
        return found

    def is_preview(self, stage: str) -> bool:
        """Whether `stage` is a branch's preview: named with project.yml's previews.prefix."""
        found = self.settings.get("previews")
        return bool(found) and stage.startswith(f"{found['prefix']}-")

    @property
    def function_key(self) -> str:
        """serverless.yml's name for its one function: osls names it <service>-<stage>-<key>."""
        self.function  # noqa: B018 (refuses a serverless.yml with other than one function)
        return next(iter(self.serverless["functions"]))

    @property
    def artifacts_stack(self) -> str:
        """The stack that holds a region's release bucket (infra/artifact-buckets.yml)."""
        return f"{self.service}-artifacts"

    def domain(self, stage: str) -> str | None:
        return ((self.settings.get("domains") or {}).get(stage) or {}).get("name")

    @property
    def function(self) -> dict:
        """serverless.yml's one function."""
        functions = self.serverless.get("functions") or {}
        if len(functions) != 1:
            raise ProjectError(f"serverless.yml has {len(functions)} functions; the ops code deploys one")
        return next(iter(functions.values()))

    @property
    def build_flag(self) -> str:
        """cargo-lambda's flag for the function's architecture (serverless.yml's provider)."""
        architecture = self.serverless["provider"].get("architecture", "x86_64")
        flags = {"arm64": "--arm64", "x86_64": "--x86-64"}
        if architecture not in flags:
            raise ProjectError(f"serverless.yml's architecture {architecture} is not one of {', '.join(flags)}")
        return flags[architecture]

    @property
    def zip(self) -> PurePosixPath:
        """The function's zip, relative to the root: serverless.yml's package.artifact, where
        cargo-lambda writes it (target/lambda/<binary>/bootstrap.zip)."""
        artifact = PurePosixPath(self.function["package"]["artifact"])
        if artifact.parts[:2] != ("target", "lambda") or len(artifact.parts) != 4:
            raise ProjectError(f"serverless.yml's artifact {artifact} is not target/lambda/<binary>/bootstrap.zip")
        return artifact

    @property
    def binary(self) -> str:
        """The function's binary: the folder cargo-lambda names after it."""
        return self.zip.parts[2]

    @property
    def alias(self) -> str | None:
        """The alias the API invokes and CodeDeploy shifts, from the canary's settings (the
        function's deploymentSettings, infra/canary.yml); None for a fork without the canary."""
        settings = self.function.get("deploymentSettings")
        if isinstance(settings, str):
            settings = self.file_variable(settings)
        return (settings or {}).get("alias")

    def file_variable(self, value: str):
        """What osls's `${file(./path):key.path}` in serverless.yml reads."""
        found = FILE_VARIABLE.fullmatch(value)
        if not found:
            raise ProjectError(f"serverless.yml: cannot read {value!r}; the ops code reads ${{file(./path):key}} only")
        read = read_yaml(self.root / found["path"])
        for part in found["keys"].split("."):
            read = read[part]
        return read

    @staticmethod
    def package_path(stage: str) -> PurePosixPath:
        """A stage's package folder, relative to the root (and to a release's folder)."""
        return PurePosixPath(PACKAGES, stage)

    def package_dir(self, stage: str) -> Path:
        return self.root / self.package_path(stage)

    @staticmethod
    def release_prefix(commit: str) -> str:
        return f"{RELEASES}/{commit}"

    def release_zip_key(self, commit: str) -> str:
        return f"{self.release_prefix(commit)}/{self.zip}"

    def release_package_prefix(self, commit: str, stage: str) -> str:
        """Where a release keeps a stage's package folder, ending in '/'."""
        return f"{self.release_prefix(commit)}/{self.package_path(stage)}/"

    def release_manifest_key(self, commit: str, stage: str) -> str:
        return f"{self.release_package_prefix(commit, stage)}{MANIFEST}"


def template_of(package: Path) -> Path:
    """The compiled CloudFormation template in a package folder."""
    return package / TEMPLATE


@cache
def load(root: Path = ROOT) -> Project:
    return Project(root, read_yaml(root / "project.yml"), read_yaml(root / "serverless.yml"))
