#!/usr/bin/env python3
"""What the rehearsal does through Lambda's API that moto's CloudFormation cannot: publish the
deployed code and point the live alias at it, as a deploy and CodeDeploy would, and deploy code
to one region only, as a hotfix might, with its manifest published to every region. Against the
local moto only (scripts/rehearse.sh sets AWS_ENDPOINT_URL).

    python3 scripts/rehearsal_lambda.py live-at-newest|live-code --region R --stage S
    python3 scripts/rehearsal_lambda.py deploy-to-one-region --region R --stage S --release ID --regions R1 R2
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import sys
import zipfile
from pathlib import Path

import boto3
import yaml
from stacks import physical_ids

SERVICE = yaml.safe_load((Path(__file__).resolve().parents[1] / "project.yml").read_text())["service"]


def function_of(region: str, stage: str) -> str:
    (function,) = physical_ids(
        boto3.client("cloudformation", region_name=region), f"{SERVICE}-{stage}", "AWS::Lambda::Function"
    )
    return function


def newest_version(client, function: str) -> str:
    versions = client.list_versions_by_function(FunctionName=function)["Versions"]
    return str(max(int(v["Version"]) for v in versions if v["Version"].isdigit()))


def code_zip(release: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bootstrap", f"#!/bin/sh\n# {release}\n")
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    if "127.0.0.1" not in os.environ.get("AWS_ENDPOINT_URL", ""):
        print("error: this only runs against the rehearsal's local moto (AWS_ENDPOINT_URL)", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["live-at-newest", "live-code", "deploy-to-one-region"])
    parser.add_argument("--region", required=True)
    parser.add_argument("--stage", required=True)
    parser.add_argument("--release")
    parser.add_argument("--regions", nargs="*", default=[])
    args = parser.parse_args(argv)
    client = boto3.client("lambda", region_name=args.region)
    function = function_of(args.region, args.stage)
    if args.step == "live-at-newest":
        # As a deploy leaves it: the code it deployed published (Lambda returns the version it
        # has when nothing changed), and live moved there by CodeDeploy.
        client.publish_version(FunctionName=function)
        newest = newest_version(client, function)
        try:
            client.update_alias(FunctionName=function, Name="live", FunctionVersion=newest)
        except client.exceptions.ResourceNotFoundException:
            client.create_alias(FunctionName=function, Name="live", FunctionVersion=newest)
        print(f"{args.region}: live -> version {newest}, as CodeDeploy leaves it")
    elif args.step == "live-code":
        print(client.get_function(FunctionName=function, Qualifier="live")["Configuration"]["CodeSha256"])
    else:
        code = code_zip(args.release)
        client.update_function_code(FunctionName=function, ZipFile=code)
        client.publish_version(FunctionName=function)
        manifest = {"codeSha256": base64.b64encode(hashlib.sha256(code).digest()).decode(), "gitCommit": args.release}
        for region in args.regions:
            (bucket,) = physical_ids(
                boto3.client("cloudformation", region_name=region), f"{SERVICE}-artifacts", "AWS::S3::Bucket"
            )
            boto3.client("s3", region_name=region).put_object(
                Bucket=bucket, Key=f"releases/{args.release}/dist/{args.stage}/manifest.json", Body=json.dumps(manifest)
            )
        print(
            f"{args.region}: {function} runs release {args.release} ({manifest['codeSha256']}); "
            "its manifest is in every region"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
