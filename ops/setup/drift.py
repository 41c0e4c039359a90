"""Whether a stack was changed by hand since CloudFormation last deployed it, by
CloudFormation's drift detection. `make bootstrap` asks it of every stack it would update: a
change set compares the new template with the old one, not with what the account holds, so a
plan for a drifted stack would not say what applying it does.
"""

from __future__ import annotations

from ops.change_sets import settled
from ops.cli import Failed


def drifted_resources(cloudformation, stack: str) -> list[str]:
    """Each resource of `stack` that differs from its template, with the properties that do;
    none for a stack in sync."""
    detection = cloudformation.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]
    status = settled(
        lambda: cloudformation.describe_stack_drift_detection_status(StackDriftDetectionId=detection),
        "DetectionStatus",
    )
    if status["DetectionStatus"] == "DETECTION_FAILED":
        raise Failed(f"{stack}: CloudFormation could not detect drift: {status.get('DetectionStatusReason', '-')}")
    if status.get("StackDriftStatus") != "DRIFTED":
        return []
    found, page = [], {"NextToken": None}
    while "NextToken" in page:
        page = cloudformation.describe_stack_resource_drifts(
            StackName=stack,
            StackResourceDriftStatusFilters=["MODIFIED", "DELETED"],
            **({"NextToken": page["NextToken"]} if page["NextToken"] else {}),
        )
        for drift in page["StackResourceDrifts"]:
            paths = ", ".join(d["PropertyPath"] for d in drift.get("PropertyDifferences", []))
            found.append(
                f"{drift['LogicalResourceId']} ({drift['ResourceType']}) {drift['StackResourceDriftStatus'].lower()}"
                + (f" at {paths}" if paths else "")
            )
    return found
