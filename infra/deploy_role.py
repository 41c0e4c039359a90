"""What the CircleCI deploy role must allow, derived from CloudFormation's own resource schemas.

The deploy role has no CloudFormation service role behind it, so CloudFormation calls each
resource type's handlers with the deployer's credentials, and runs the read handler after every
create and update. The registry schema of every type lists the permissions of its create, read,
update and delete handlers; cfn-lint ships those schemas, so this works offline.

    python3 infra/deploy_role.py dist/prod dist/rehearsal-prod

prints, per service, the actions the compiled templates need that the role does not grant (and
exits 1 when there are any). infra/tests/test_deploy_role.py runs the same check in the gate.

Hand-written because no tool joins the schemas to a role: cfn-lint only reads them to lint.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cfnlint
import yaml
from cfnlint.decode.cfn_yaml import load as load_cfn_yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
ROLE_TEMPLATE = ROOT / "infra" / "circleci-deploy-role.yml"
EXCLUSIONS = ROOT / "infra" / "deploy-role-exclusions.yml"
SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"
HANDLERS = ("create", "read", "update", "delete")


@dataclass(frozen=True)
class Exclusion:
    """Schema-listed actions left out of the role on purpose, while no template uses a feature."""

    actions: tuple[str, ...]
    reason: str
    # "Type.Property" paths; the exclusion stops holding once a template sets any of them.
    holds_while_unset: tuple[str, ...]

    def covers(self, action: str) -> bool:
        return any(fnmatch.fnmatchcase(action, pattern) for pattern in self.actions)


def exclusions(path: Path = EXCLUSIONS) -> list[Exclusion]:
    return [
        Exclusion(tuple(entry["actions"]), entry["reason"], tuple(entry.get("holds_while_unset", [])))
        for entry in yaml.safe_load(path.read_text())
    ]


@cache
def _provider(region: str) -> dict[str, str]:
    return json.loads((SCHEMAS / "providers" / f"{region}.json").read_text())


def handler_permissions(resource_type: str, region: str = "us-east-1") -> set[str]:
    """Every permission the type's create, read, update and delete handlers list."""
    schema_id = _provider(region).get(resource_type)
    if schema_id is None:
        raise KeyError(f"{resource_type} has no CloudFormation schema in {region}")
    schema = json.loads((SCHEMAS / "resources" / f"{schema_id}.json").read_text())
    handlers = schema.get("handlers", {})
    return {p for name in HANDLERS for p in handlers.get(name, {}).get("permissions", [])}


def resource_types(template: dict) -> set[str]:
    return {resource["Type"] for resource in template["Resources"].values()}


def properties_set(template: dict) -> set[str]:
    """`Type.Property` for every top-level property any resource of the template sets."""
    return {
        f"{resource['Type']}.{name}"
        for resource in template["Resources"].values()
        for name in resource.get("Properties", {})
    }


def required_actions(templates: list[dict], regions: tuple[str, ...] = ("us-east-1",)) -> set[str]:
    """Every handler permission of every resource type the templates use, in each region."""
    kinds = set().union(*(resource_types(t) for t in templates))
    return {a for region in regions for kind in kinds for a in handler_permissions(kind, region)}


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def granted_actions(role_template: Path = ROLE_TEMPLATE, role_id: str = "DeployRole") -> set[str]:
    """What the role's Allow statements name."""
    role = load_cfn_yaml(str(role_template))["Resources"][role_id]
    return {
        action
        for policy in role["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"])
    }


def iam_name(action: str) -> str:
    """Schemas spell a few actions as API calls (`s3:getObject`); IAM compares them case-blind."""
    service, _, name = action.partition(":")
    return f"{service.lower()}:{name[:1].upper()}{name[1:]}"


@dataclass
class Verdict:
    missing: set[str]
    excluded: dict[str, Exclusion]
    broken_exclusions: list[tuple[Exclusion, set[str]]]


def check(
    templates: list[dict], granted: set[str], rules: list[Exclusion], regions: tuple[str, ...] = ("us-east-1",)
) -> Verdict:
    """Which required actions the role lacks, which it leaves out on purpose, and which
    exclusions no longer hold because a template now uses what they rely on it not using."""
    used = set().union(*(properties_set(t) for t in templates))
    broken = [(rule, used & set(rule.holds_while_unset)) for rule in rules if used & set(rule.holds_while_unset)]
    holding = [rule for rule in rules if not used & set(rule.holds_while_unset)]
    granted_lower = {a.lower() for a in granted}
    missing, excluded = set(), {}
    for action in sorted(iam_name(a) for a in required_actions(templates, regions)):
        if action.lower() in granted_lower:
            continue
        rule = next((r for r in holding if r.covers(action)), None)
        if rule:
            excluded[action] = rule
        else:
            missing.add(action)
    return Verdict(missing, excluded, broken)


def main(package_dirs: list[str]) -> int:
    if not package_dirs:
        print("usage: python3 infra/deploy_role.py PACKAGE_DIR [PACKAGE_DIR ...]", file=sys.stderr)
        return 2
    from ops import project as projects  # noqa: PLC0415 (the command alone needs the project)

    templates = []
    for directory in package_dirs:
        path = projects.template_of(Path(directory))
        if not path.is_file():
            print(f"{path} is missing: run `make package` for that stage first", file=sys.stderr)
            return 2
        templates.append(json.loads(path.read_text()))

    regions = tuple(projects.load().regions)
    verdict = check(templates, granted_actions(), exclusions(), regions)
    for rule, used in verdict.broken_exclusions:
        print(f"exclusion of {', '.join(rule.actions)} no longer holds: the templates set {sorted(used)}")
    for action in sorted(verdict.missing):
        print(f"missing: {action}")
    if verdict.missing or verdict.broken_exclusions:
        return 1
    print(f"the deploy role grants every action the schemas list ({len(verdict.excluded)} left out on purpose)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
