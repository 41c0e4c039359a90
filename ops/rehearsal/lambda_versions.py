"""What the rehearsal does through Lambda's API that moto's CloudFormation cannot: publish the
deployed code and point the live alias at it, as a deploy and CodeDeploy would, and deploy code
to one region only, as a hotfix might, with its manifest published to every region. Against the
local moto only (ops.rehearsal.run sets AWS_ENDPOINT_URL)."""

from __future__ import annotations

import io
import os
import zipfile

from ops.artifacts import Manifest
from ops.aws import client, code_sha256_of, release_bucket, stack_function
from ops.cli import Refused


def _local_lambda(region: str):
    if "127.0.0.1" not in os.environ.get("AWS_ENDPOINT_URL", ""):
        raise Refused("this only runs against the rehearsal's local moto (AWS_ENDPOINT_URL)")
    return client("lambda", region)


def newest_version(lambda_client, function: str) -> str:
    versions = lambda_client.list_versions_by_function(FunctionName=function)["Versions"]
    return str(max(int(v["Version"]) for v in versions if v["Version"].isdigit()))


def live_at_newest(project, region: str, stage: str) -> None:
    """As a deploy leaves it: the code it deployed published (Lambda returns the version it has
    when nothing changed), and the alias moved there by CodeDeploy."""
    lambda_client, function = _local_lambda(region), stack_function(project, region, stage)
    lambda_client.publish_version(FunctionName=function)
    newest = newest_version(lambda_client, function)
    try:
        lambda_client.update_alias(FunctionName=function, Name=project.alias, FunctionVersion=newest)
    except lambda_client.exceptions.ResourceNotFoundException:
        lambda_client.create_alias(FunctionName=function, Name=project.alias, FunctionVersion=newest)
    print(f"{region}: {project.alias} -> version {newest}, as CodeDeploy leaves it")


def live_code(project, region: str, stage: str) -> str:
    _local_lambda(region)
    return code_sha256_of(stack_function(project, region, stage), region, project.alias)


def code_zip(release: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bootstrap", f"#!/bin/sh\n# {release}\n")
    return buffer.getvalue()


def deploy_to_one_region(project, region: str, stage: str, release: str) -> None:
    """A hotfix's code in one region, published there, with its manifest in every region."""
    lambda_client, function = _local_lambda(region), stack_function(project, region, stage)
    code = code_zip(release)
    lambda_client.update_function_code(FunctionName=function, ZipFile=code)
    lambda_client.publish_version(FunctionName=function)
    manifest = Manifest.of_zip(code, service=project.service, stage=stage, artifact=str(project.zip), commit=release)
    for each in project.regions:
        client("s3", each).put_object(
            Bucket=release_bucket(project, each), Key=project.release_manifest_key(release, stage), Body=manifest.json()
        )
    print(f"{region}: {function} runs release {release} ({manifest.codeSha256}); its manifest is in every region")
