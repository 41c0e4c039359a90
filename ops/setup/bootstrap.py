"""Sets up an AWS account for this project from project.yml: the release bucket stack in every
region, and (where the project deploys from CircleCI) the deploy role with CircleCI's OIDC
provider if the account lacks it.

    python -m ops bootstrap [--org-id ORG --project-id PROJECT] [--apply]

It plans first, with a CloudFormation change set per stack, and prints what each would create,
change or delete. Only --apply carries the plans out; without it every change set is deleted
again and nothing is left behind. A second run finds nothing to change and says so. It refuses,
changing nothing, while any stack is in a failed or unfinished state. At the end it prints what
to set in CircleCI. --org-id and --project-id are CircleCI's organization and project ids
(Organization Settings, Project Settings → Overview).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ops import cli
from ops import project as projects
from ops.aws import client
from ops.cli import Failed, Refused, say

# A stack in one of these needs a person first: a failed create leaves ROLLBACK_COMPLETE, which
# CloudFormation will not update, and a stack in progress belongs to someone else's command.
BLOCKED = ("FAILED", "IN_PROGRESS", "ROLLBACK_COMPLETE")
NO_CHANGES = "didn't contain changes"


@dataclass
class Stack:
    name: str
    region: str
    template: str
    parameters: dict[str, str]
    capabilities: list[str] = field(default_factory=list)
    # The template's text, where ops renders it; otherwise the file `template` names is sent.
    body: str | None = None
    exists: bool = False
    planned: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def change_set(self) -> str:
        # Named after its stack, though CloudFormation scopes the name to it: moto does not.
        return f"bootstrap-{self.name}"


def stacks(project, org_id: str | None, project_id: str | None) -> list[Stack]:
    """Every stack the account needs, from project.yml."""
    wanted = [
        Stack(project.artifacts_stack, region, "infra/artifact-buckets.yml", {"ServiceName": project.service})
        for region in project.regions
    ]
    role = project.settings.get("deploy_role_name")
    if role and (project.root / "infra" / "circleci-deploy-role.yml").is_file():
        if not (org_id and project_id):
            raise Refused("the deploy role needs CircleCI's ids: give --org-id and --project-id")
        parameters = {
            "CircleCIOrganizationId": org_id,
            "CircleCIProjectId": project_id,
            "ServiceName": project.service,
            "DeployRoleName": role,
            "CreateOidcProvider": create_oidc_provider(project.regions[0], role, org_id),
        }
        domains = list((project.settings.get("domains") or {}).values())
        if domains:
            zones = {domain["hostedZoneId"] for domain in domains}
            if len(zones) != 1:
                raise Refused(f"project.yml's domains use {len(zones)} hosted zones; the deploy role takes one")
            parameters |= {"HostedZoneId": zones.pop(), "CertificateDomains": ",".join(d["name"] for d in domains)}
        wanted.append(
            Stack(role, project.regions[0], "infra/circleci-deploy-role.yml", parameters, ["CAPABILITY_NAMED_IAM"])
        )
    return wanted


def create_oidc_provider(region: str, role_stack: str, org_id: str) -> str:
    """'false' where the account has CircleCI's provider for the organization from elsewhere;
    the role stack's own provider is kept, whatever the account holds."""
    cloudformation = client("cloudformation", region)
    try:
        (existing,) = cloudformation.describe_stacks(StackName=role_stack)["Stacks"]
        given = {p["ParameterKey"]: p["ParameterValue"] for p in existing.get("Parameters", [])}
        if "CreateOidcProvider" in given:
            return given["CreateOidcProvider"]
    except cloudformation.exceptions.ClientError:
        pass
    providers = client("iam", region).list_open_id_connect_providers()["OpenIDConnectProviderList"]
    found = any(p["Arn"].endswith(f"oidc.circleci.com/org/{org_id}") for p in providers)
    return "false" if found else "true"


def status_of(cloudformation, name: str) -> str | None:
    try:
        (described,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except cloudformation.exceptions.ClientError:
        return None
    return described["StackStatus"]


def settled(describe, key: str) -> dict:
    """What `describe` answers once `key` is neither pending nor in progress."""
    for _ in range(600):
        found = describe()
        if not found[key].endswith(("_PENDING", "_IN_PROGRESS")):
            return found
        time.sleep(2)
    raise Failed(f"still {found[key]} after 20 minutes")


def plan(project, stack: Stack) -> None:
    """Creates the stack's change set and reads what it would do; refuses a blocked stack."""
    cloudformation = client("cloudformation", stack.region)
    status = status_of(cloudformation, stack.name)
    if status == "REVIEW_IN_PROGRESS":
        status = None  # an earlier plan's empty stack, with no resource yet
    if status and any(blocked in status for blocked in BLOCKED):
        raise Refused(f"{stack.region}: {stack.name} is {status}; settle it in CloudFormation first")
    stack.exists = status is not None
    try:
        cloudformation.create_change_set(
            StackName=stack.name,
            ChangeSetName=stack.change_set,
            ChangeSetType="UPDATE" if stack.exists else "CREATE",
            TemplateBody=stack.body or (project.root / stack.template).read_text(),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in stack.parameters.items()],
            Capabilities=stack.capabilities,
        )
    except cloudformation.exceptions.ClientError as refusal:
        # Some endpoints (moto among them) refuse an unchanged stack's change set outright,
        # where CloudFormation makes one that fails with NO_CHANGES: both mean the same.
        if "No updates are to be performed" not in str(refusal):
            raise
        stack.changes = []
        return
    stack.planned = True
    described = settled(
        lambda: cloudformation.describe_change_set(StackName=stack.name, ChangeSetName=stack.change_set), "Status"
    )
    if described["Status"] == "FAILED" and NO_CHANGES not in described.get("StatusReason", ""):
        raise Failed(f"{stack.region}: {stack.name}: {described.get('StatusReason')}")
    stack.changes = [
        f"{c['ResourceChange']['Action']} {c['ResourceChange']['LogicalResourceId']} "
        f"({c['ResourceChange']['ResourceType']})"
        for c in described.get("Changes", [])
    ]


def discard(stack: Stack, *, empty_stack_too: bool = True) -> None:
    """Deletes the stack's change set, and (unless told not to) the empty stack a CREATE change
    set makes. A stack with no resource costs nothing, and the next plan reuses it."""
    if not stack.planned:
        return
    cloudformation = client("cloudformation", stack.region)
    cloudformation.delete_change_set(StackName=stack.name, ChangeSetName=stack.change_set)
    if not stack.exists and empty_stack_too:
        cloudformation.delete_stack(StackName=stack.name)


def apply(stack: Stack) -> None:
    cloudformation = client("cloudformation", stack.region)
    cloudformation.execute_change_set(StackName=stack.name, ChangeSetName=stack.change_set)
    described = settled(lambda: cloudformation.describe_stacks(StackName=stack.name)["Stacks"][0], "StackStatus")
    if described["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        raise Failed(f"{stack.region}: {stack.name} ended {described['StackStatus']}")


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("bootstrap", __doc__)
    parser.add_argument("--org-id", help="CircleCI's organization id (the deploy role trusts its tokens)")
    parser.add_argument("--project-id", help="CircleCI's project id")
    parser.add_argument("--apply", action="store_true", help="carry the plan out (default: plan only)")
    args = parser.parse_args(argv)
    wanted = stacks(project, args.org_id, args.project_id)

    say("Plan, from CloudFormation change sets")
    try:
        for stack in wanted:
            plan(project, stack)
            print(f"{stack.region}: {stack.name} ({'update' if stack.exists else 'create'}):")
            print("\n".join(f"  {change}" for change in stack.changes) or "  nothing to change")
    except Exception:
        # Whatever stopped the plan (a refusal, AWS's own error), it leaves nothing behind.
        for stack in wanted:
            discard(stack)
        raise
    changing = sum(1 for stack in wanted if stack.changes)
    for stack in wanted:
        if stack.changes and args.apply:
            say(f"Applying {stack.name} in {stack.region}")
            apply(stack)
        else:
            discard(stack)
    if not changing:
        print("nothing to change: the account is set up")
    elif not args.apply:
        print(f"{changing} stacks to change; nothing was changed: run again with --apply (make bootstrap APPLY=1)")
        return 0
    role = next((s for s in wanted if "DeployRoleName" in s.parameters), None)
    if role:
        arn = client("iam", role.region).get_role(RoleName=role.parameters["DeployRoleName"])["Role"]["Arn"]
        print(f"In CircleCI, set AWS_ROLE_ARN={arn} in each context .circleci/config.yml names (docs/deploy.md)")
    return 0
