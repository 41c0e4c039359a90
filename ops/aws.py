"""The AWS side of the ops code, through boto3 only: clients per region, and a deployed stack's
resources and outputs found by type, so that the template says which function, bucket or health
check belongs to a stage and no module repeats a name."""

from __future__ import annotations

import boto3

from ops.cli import Failed, Refused
from ops.project import Project


class NoSuchStack(LookupError):
    """The stack does not exist in that region."""


def client(service: str, region: str):
    return boto3.client(service, region_name=region)


def physical_ids(cloudformation, stack: str, resource_type: str) -> list[str]:
    """The physical ids of the stack's resources of `resource_type`."""
    try:
        pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack)
        return [
            resource["PhysicalResourceId"]
            for page in pages
            for resource in page["StackResourceSummaries"]
            if resource["ResourceType"] == resource_type
        ]
    except cloudformation.exceptions.ClientError as missing:
        raise NoSuchStack(stack) from missing


def stack_outputs(cloudformation, stack: str) -> dict[str, str] | None:
    """The stack's outputs by key; None when there is no such stack."""
    try:
        (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except cloudformation.exceptions.ClientError:
        return None
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def stage_api_url(project: Project, region: str, stage: str) -> str:
    """The stage's HTTP API base URL in that region, from its stack's outputs."""
    stack = project.stack(stage)
    url = (stack_outputs(client("cloudformation", region), stack) or {}).get("HttpApiUrl", "")
    if not url.startswith("https://"):
        raise Failed(f"{stack} in {region} has no HttpApiUrl output")
    return url


def one_resource(region: str, stack: str, resource_type: str, what: str) -> str:
    """The stack's one resource of that type, or a refusal naming the region."""
    try:
        found = physical_ids(client("cloudformation", region), stack, resource_type)
    except NoSuchStack as missing:
        raise Refused(f"{region}: there is no stack {stack}") from missing
    if len(found) != 1:
        raise Refused(f"{region}: {stack} has {len(found)} {what}, not one")
    return found[0]


def stack_function(project: Project, region: str, stage: str) -> str:
    """The name of the stage's one Lambda function in that region."""
    return one_resource(region, project.stack(stage), "AWS::Lambda::Function", "Lambda functions")


def code_sha256_of(function: str, region: str, qualifier: str | None = None) -> str:
    """The CodeSha256 Lambda reports for the function, or for one of its aliases."""
    found = client("lambda", region).get_function(
        FunctionName=function, **({"Qualifier": qualifier} if qualifier else {})
    )
    return found["Configuration"]["CodeSha256"]


def release_bucket(project: Project, region: str) -> str:
    """The region's release bucket, made by the stack <service>-artifacts."""
    try:
        return one_resource(region, project.artifacts_stack, "AWS::S3::Bucket", "buckets")
    except Refused as missing:
        raise Refused(
            f"{region} has no release bucket: deploy infra/artifact-buckets.yml there as the stack "
            f"{project.artifacts_stack} (docs/deploy.md)"
        ) from missing
