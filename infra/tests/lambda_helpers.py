"""Shared by the tests that deploy the function to moto as `sls deploy` leaves it: its stack's
function resource, and a release's zip, whose CodeSha256 names the release."""

from __future__ import annotations

import io
import zipfile

# The function's name is whatever the stack gave it; the ops code finds it through the stack.
FUNCTION = "named-by-the-stack"


def release_zip(release: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("bootstrap", date_time=(2026, 1, 1, 0, 0, 0))
        archive.writestr(info, f"#!/bin/sh\n# {release}\n")
    return buffer.getvalue()


def function_resource(role_arn: str) -> dict:
    """The stack's HelloLambdaFunction, as moto can create it."""
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": FUNCTION,
            "Runtime": "provided.al2023",
            "Role": role_arn,
            "Handler": "bootstrap",
            "Code": {"ZipFile": "#!/bin/sh\n"},
        },
    }
