"""Whether the IAM policies of this project grant what they say, checked against AWS's Service
Authorization Reference, as policy_sentry and parliament ship it offline (both pinned in
tools/requirements.txt). Their union is read: policy_sentry's copy is the newer (it knows
actions such as `s3:GetBucketAbac`), and parliament's keeps each service of a prefix apart,
where policy_sentry merges them and loses one (`apigateway` is two services, API Gateway
Management and Management V2, and its actions act on the resources of both).

For every Allow statement of the deploy role (infra/circleci-deploy-role.yml) and of every role
in the compiled templates, it finds:

- an action the reference does not list (a typo, or an action that does not exist);
- an action that takes only `"Resource": "*"` but is scoped to ARNs, so IAM never matches it;
- an action scoped to ARNs none of which is a resource it acts on, so it grants nothing;
- a resource that is none of the resources its statement's actions act on.

Resources are CloudFormation values: intrinsics are resolved to sample values first (a sample
account, region and partition, parameters' defaults, the physical names CloudFormation gives),
keeping IAM's wildcards. A resource then acts on an ARN format when some ARN fits both: IAM's
`*` any characters, a format's `${Name}` any characters but `:`.

It also evaluates the deploy role against what the compiled templates create: for each named
log group, function, role, alarm and dashboard, the role must allow its create action on that
resource's ARN.

Hand-written because no tool joins the reference to CloudFormation templates: parliament and
policy_sentry read policies, not templates, and neither resolves CloudFormation's intrinsics;
cfn-lint checks only that an action's name exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from parliament import iam_definition as parliament_services
from policy_sentry.shared.iam_data import get_service_prefix_data
from policy_sentry.util.arns import does_arn_match

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": "amazonaws.com",
}


@dataclass(frozen=True)
class Finding:
    where: str
    action: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.action}: {self.problem}"


# ---- resolving CloudFormation values to sample strings ------------------------------------


def physical_name(template: dict, logical_id: str, stack: str) -> str:
    """The name CloudFormation gives a resource: its own name property, or stack-logical-random."""
    resource = template["Resources"][logical_id]
    properties = resource.get("Properties", {})
    for key in NAME_PROPERTIES.get(resource["Type"], ()):
        if key in properties:
            return resolve(properties[key], template, stack)
    return f"{stack}-{logical_id}-RANDOM"


NAME_PROPERTIES = {
    "AWS::Lambda::Function": ("FunctionName",),
    "AWS::IAM::Role": ("RoleName",),
    "AWS::Logs::LogGroup": ("LogGroupName",),
    "AWS::CloudWatch::Alarm": ("AlarmName",),
    "AWS::CloudWatch::Dashboard": ("DashboardName",),
    "AWS::S3::Bucket": ("BucketName",),
}


def arn_of(template: dict, logical_id: str, stack: str) -> str:
    """The `Arn` attribute of a resource, for the types the policies here refer to."""
    kind = template["Resources"][logical_id]["Type"]
    name = physical_name(template, logical_id, stack)
    formats = {
        "AWS::Lambda::Function": f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{name}",
        "AWS::IAM::Role": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name}",
        "AWS::Logs::LogGroup": f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{name}:*",
        "AWS::CloudWatch::Alarm": f"arn:{PARTITION}:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        "AWS::CloudWatch::Dashboard": f"arn:{PARTITION}:cloudwatch::{ACCOUNT}:dashboard/{name}",
        "AWS::S3::Bucket": f"arn:{PARTITION}:s3:::{name}",
    }
    if kind not in formats:
        raise KeyError(f"no ARN is known here for {kind} ({logical_id}): add it to arn_of")
    return formats[kind]


def resolve(value, template: dict, stack: str) -> str:
    """A CloudFormation value as the string it becomes, with samples for what only a deploy knows."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), *_ = value.items()
        if function == "Ref":
            return _reference(argument, template, stack)
        if function == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return _attribute(logical_id, attribute, template, stack)
        if function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            return re.sub(
                r"\$\{([^}!]+)\}",
                lambda m: (
                    resolve(variables[m[1]], template, stack)
                    if m[1] in variables
                    else _substitution(m[1], template, stack)
                ),
                text,
            )
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(resolve(part, template, stack) for part in parts)
    raise ValueError(f"cannot resolve {value!r}")


def _substitution(name: str, template: dict, stack: str) -> str:
    if "." in name:
        logical_id, attribute = name.split(".", 1)
        return _attribute(logical_id, attribute, template, stack)
    return _reference(name, template, stack)


def _reference(name: str, template: dict, stack: str) -> str:
    if name in PSEUDO:
        return PSEUDO[name]
    if name == "AWS::StackName":
        return stack
    if name in template.get("Parameters", {}):
        return str(template["Parameters"][name].get("Default", f"sample-{name}"))
    return physical_name(template, name, stack)


def _attribute(logical_id: str, attribute: str, template: dict, stack: str) -> str:
    if attribute != "Arn":
        raise ValueError(f"cannot resolve {logical_id}.{attribute}")
    return arn_of(template, logical_id, stack)


# ---- the reference ---------------------------------------------------------------------------


@cache
def arn_formats(action: str) -> tuple[str, ...] | None:
    """The ARN formats `action` acts on (none: it takes only '*'), or None when neither copy of
    the reference has such an action."""
    prefix, _, name = action.lower().partition(":")
    services = [_policy_sentry_service(prefix)] + [s for s in parliament_services if s["prefix"] == prefix]
    found, formats = False, set()
    for service in filter(None, services):
        arns = {resource["resource"]: resource["arn"] for resource in service["resources"]}
        for privilege in service["privileges"]:
            if privilege["privilege"].lower() != name:
                continue
            found = True
            for resource_type in privilege["resource_types"]:
                kind = resource_type["resource_type"].rstrip("*")
                if kind in arns:
                    formats.add(arns[kind])
    return tuple(sorted(formats)) if found else None


def _policy_sentry_service(prefix: str) -> dict | None:
    """policy_sentry's data for a prefix, in parliament's shape (lists, not keyed maps)."""
    try:
        data = get_service_prefix_data(prefix)
    except Exception:  # policy_sentry raises a bare Exception for an unknown prefix
        return None
    if not data:
        return None
    return {
        "resources": [{"resource": name, "arn": r["arn"]} for name, r in data["resources"].items()],
        "privileges": [
            {
                "privilege": privilege["privilege"],
                "resource_types": [{"resource_type": kind} for kind in privilege["resource_types"]],
            }
            for privilege in data["privileges"].values()
        ],
    }


STAR, ONE, NAME = object(), object(), object()


def _pattern_tokens(resource: str) -> tuple:
    return tuple(STAR if c == "*" else ONE if c == "?" else c for c in resource)


def _format_tokens(arn_format: str) -> tuple:
    tokens = []
    for part in re.split(r"(\$\{[^}]+\})", arn_format):
        tokens.extend([NAME] if part.startswith("${") else list(part))
    return tuple(tokens)


def matches(resource: str, arn_format: str) -> bool:
    """Whether some ARN is both allowed by `resource` (IAM's `*` and `?`) and of `arn_format`
    (each `${Name}` any characters but `:`, which separates an ARN's parts), or policy_sentry's
    own matching says so (it reads CloudWatch Logs' `log-group:NAME:*`, the form AWS's
    examples grant log groups with, as a log group)."""
    sample = resource.replace("*", "x").replace("?", "x")
    return _fits(resource, arn_format) or does_arn_match(sample, arn_format)


def _fits(resource: str, arn_format: str) -> bool:
    pattern, form = _pattern_tokens(resource), _format_tokens(arn_format)

    @cache
    def fits(i: int, j: int) -> bool:
        if i == len(pattern) and j == len(form):
            return True
        if i < len(pattern) and pattern[i] is STAR:
            # The wildcard stands for nothing more, or also for the format's next token.
            return fits(i + 1, j) or (j < len(form) and fits(i, j + 1))
        if j < len(form) and form[j] is NAME:
            # The name ends here, or takes the pattern's next character (never a ':').
            return fits(i, j + 1) or (i < len(pattern) and pattern[i] != ":" and fits(i + 1, j))
        if i < len(pattern) and j < len(form):
            return (pattern[i] is ONE or pattern[i] == form[j]) and fits(i + 1, j + 1)
        return False

    return fits(0, 0)


# ---- checking statements ---------------------------------------------------------------------


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def role_statements(role: dict) -> list[dict]:
    return [
        statement
        for policy in role.get("Properties", {}).get("Policies", [])
        for statement in as_list(policy["PolicyDocument"]["Statement"])
        if statement.get("Effect") == "Allow"
    ]


def check_statement(where: str, statement: dict, template: dict, stack: str) -> list[Finding]:
    findings = []
    resources = [resolve(resource, template, stack) for resource in as_list(statement.get("Resource", []))]
    scoped = [resource for resource in resources if resource != "*"]
    used = set()
    for action in as_list(statement["Action"]):
        formats = arn_formats(action)
        if formats is None:
            findings.append(Finding(where, action, "is not an action of the Service Authorization Reference"))
            continue
        arn_formats_only = list(formats)
        if not arn_formats_only:
            if scoped:
                findings.append(Finding(where, action, f"takes only Resource '*', but is scoped to {scoped}"))
            continue
        if "*" in resources:
            continue
        hits = {r for r in scoped if any(matches(r, f) for f in arn_formats_only)}
        used |= hits
        if not hits:
            findings.append(Finding(where, action, f"acts on {arn_formats_only}, none of {scoped}: it grants nothing"))
    for resource in scoped:
        takes_arns = [a for a in as_list(statement["Action"]) if arn_formats(a)]
        if takes_arns and resource not in used:
            findings.append(Finding(where, resource, "is none of the resources its statement's actions act on"))
    return findings


def check_roles(template: dict, stack: str) -> list[Finding]:
    """Findings for every Allow statement of every role in `template`."""
    return [
        finding
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
        for number, statement in enumerate(role_statements(resource))
        for finding in check_statement(
            f"{logical_id} statement {statement.get('Sid', number)}", statement, template, stack
        )
    ]


# ---- the deploy role against what the templates create ----------------------------------------

CREATE_ACTIONS = {
    "AWS::Logs::LogGroup": "logs:CreateLogGroup",
    "AWS::Lambda::Function": "lambda:CreateFunction",
    "AWS::IAM::Role": "iam:CreateRole",
    "AWS::CloudWatch::Alarm": "cloudwatch:PutMetricAlarm",
    "AWS::CloudWatch::Dashboard": "cloudwatch:PutDashboard",
}


def iam_pattern_matches(pattern: str, arn: str) -> bool:
    """IAM's own matching of a Resource element: `*` any run of characters, `?` any one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, arn) is not None


def allowed(role_template: dict, action: str, arn: str, role_id: str = "DeployRole") -> bool:
    """Whether the role's Allow statements grant `action` on `arn` (conditions aside)."""
    role = role_template["Resources"][role_id]
    for statement in role_statements(role):
        if action.lower() not in {a.lower() for a in as_list(statement["Action"])}:
            continue
        patterns = [resolve(r, role_template, "role-stack") for r in as_list(statement.get("Resource", []))]
        if any(iam_pattern_matches(pattern, arn) for pattern in patterns):
            return True
    return False


def denied_creations(role_template: dict, template: dict, stack: str, role_id: str = "DeployRole") -> list[str]:
    """Each resource `template` creates that the role may not create, as `action arn`."""
    denied = []
    for logical_id, resource in template["Resources"].items():
        action = CREATE_ACTIONS.get(resource["Type"])
        if action is None:
            continue
        arn = arn_of(template, logical_id, stack)
        if resource["Type"] == "AWS::Logs::LogGroup":
            arn = arn.removesuffix(":*")
        if not allowed(role_template, action, arn, role_id):
            denied.append(f"{action} {arn} ({logical_id})")
    return denied
