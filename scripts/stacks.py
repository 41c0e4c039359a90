"""Finds a deployed stack's resources by type: the template says which function or health check
belongs to a stage, so no script repeats its name."""

from __future__ import annotations


class NoSuchStack(LookupError):
    """The stack does not exist in that region."""


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
