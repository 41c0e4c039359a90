"""The rehearsal's tables: moto's CloudFormation skips AWS::DynamoDB::GlobalTable, so the data
stack deploys with no table and moto never replicates. The rehearsal makes each region's table
itself, from the data stack's own template (ops.data), so the function meets the key schema and
TTL the stage deploys; what replication does between regions is for `make smoke-global` in AWS
(docs/data.md)."""

from __future__ import annotations

from ops import data
from ops.aws import client


def create_table(dynamodb, name: str, properties: dict) -> None:
    """The table `name` as the data stack's template (`properties`) declares it: its key
    schema, billing mode and TTL."""
    dynamodb.create_table(
        TableName=name,
        KeySchema=properties["KeySchema"],
        AttributeDefinitions=properties["AttributeDefinitions"],
        BillingMode=properties["BillingMode"],
    )
    dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=properties["TimeToLiveSpecification"])


def create_replicas(project, stage: str) -> None:
    properties = data.template(project, stage)["Resources"]["GreetingsTable"]["Properties"]
    name = project.table_name(stage)
    for region in project.regions:
        dynamodb = client("dynamodb", region)
        if name in dynamodb.list_tables()["TableNames"]:
            continue
        create_table(dynamodb, name, properties)
        print(f"{region:<14} {name}: made by the rehearsal, as moto makes no global table")
