"""Sets up an AWS account for this project from project.yml: the release bucket stack in every
region, and (where the project deploys from CircleCI) the deploy role, with CircleCI's OIDC
provider if the account lacks it and, where project.yml has previews, the preview role.

    python -m ops bootstrap [--org-id ORG --project-id PROJECT] [--apply]

It plans first, with a CloudFormation change set per stack, and prints what each would create,
change or delete. Only --apply carries the plans out; without it every change set is deleted
again and nothing is left behind. A second run finds nothing to change and says so. It refuses,
changing nothing, while any stack is in a failed or unfinished state, or was changed by hand
since it was deployed (CloudFormation's drift detection, ops.setup.drift): a change set cannot
say what applying it would do to such a stack. --no-drift-check leaves that out, for an
endpoint without drift detection (moto's, in the rehearsal). At the end it prints what
to set in CircleCI. --org-id and --project-id are CircleCI's organization and project ids
(Organization Settings, Project Settings → Overview).
"""

from __future__ import annotations

from ops import cli
from ops import project as projects
from ops.aws import client
from ops.change_sets import Stack, apply, discard, plan, status_of
from ops.cli import Refused, say
from ops.setup.drift import drifted_resources

# The states in which a stack's resources are what its last deploy made them, and drift
# detection can compare them; any other state is for the plan to refuse.
SETTLED = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE")


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
            # The preview role's reach (docs/previews.md): previews' names, and no stage of record.
            "PreviewPrefix": (project.settings.get("previews") or {}).get("prefix", "NONE"),
            "StagesOfRecord": ",".join(v for v in project.settings["stages"].values() if isinstance(v, str)),
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


def refuse_drift(wanted: list[Stack]) -> None:
    """Refuses, before any plan, a stack that was changed by hand since it was deployed."""
    say("Drift: whether a stack was changed by hand since it was deployed")
    for stack in wanted:
        cloudformation = client("cloudformation", stack.region)
        if status_of(cloudformation, stack.name) not in SETTLED:
            continue
        drifted = drifted_resources(cloudformation, stack.name)
        if drifted:
            raise Refused(
                f"{stack.region}: {stack.name} was changed by hand: {'; '.join(drifted)}. Undo it, or make "
                f"the template say it, then plan again"
            )
        print(f"{stack.region}: {stack.name}: as deployed")


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("bootstrap", __doc__)
    parser.add_argument("--org-id", help="CircleCI's organization id (the deploy role trusts its tokens)")
    parser.add_argument("--project-id", help="CircleCI's project id")
    parser.add_argument("--apply", action="store_true", help="carry the plan out (default: plan only)")
    parser.add_argument("--no-drift-check", action="store_true", help="for an endpoint without drift detection")
    args = parser.parse_args(argv)
    wanted = stacks(project, args.org_id, args.project_id)
    if not args.no_drift_check:
        refuse_drift(wanted)

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
        iam = client("iam", role.region)
        arn = iam.get_role(RoleName=role.parameters["DeployRoleName"])["Role"]["Arn"]
        print(f"In CircleCI, set AWS_ROLE_ARN={arn} in the contexts of qa and production (docs/deploy.md)")
        if role.parameters["PreviewPrefix"] != "NONE":
            preview = iam.get_role(RoleName=f"{role.parameters['DeployRoleName']}-previews")["Role"]["Arn"]
            print(f"In CircleCI, set AWS_ROLE_ARN={preview} in the previews' context (docs/previews.md)")
    return 0
