"""A DynamoDB-compatible server on 127.0.0.1 for the greetings suite (handler/tests/api/greetings.rs).

    python testkit/dynamodb_server.py PORT TABLE

It is moto's server, chosen over dynalite because moto answers TransactWriteItems with its
cancellation reasons and the item that failed the condition, which the idempotent write
relies on. Hand-written around it, for two things moto does not do:
- it serves one request at a time. DynamoDB serialises the writes to one item; moto's threaded
  server does not, so a test of concurrent writes would test moto's races, not the function's;
- faults DynamoDB has and moto does not: after `POST /fault/throttle`, every call answers
  ThrottlingException, as a table past its capacity does; after `POST /fault/conflict`, every
  transaction is cancelled for a TransactionConflict on the idempotency key's item, as when
  another transaction on it is under way. `POST /fault/none` ends either.
It creates TABLE from infra/data.yml's own key schema and TTL, as the rehearsal does
(ops.rehearsal.tables), so the suite tests the table the stage deploys.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

# The ops package, which reads the data stack's template (ops.data) and makes a table from it
# as the rehearsal does (ops.rehearsal.tables).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ops import data
from ops import project as projects
from ops.rehearsal import tables

THROTTLED = (
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",'
    b'"message":"Throughput exceeds the current capacity of your table (the suite\'s fault switch)"}'
)
CONFLICT = (
    b'{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",'
    b'"message":"Transaction cancelled, please refer cancellation reasons for specific reasons '
    b'[None, TransactionConflict]",'
    b'"CancellationReasons":[{"Code":"None"},'
    b'{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}]}'
)


class FaultSwitch:
    def __init__(self, app):
        self.app = app
        self.fault = "none"

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/fault/"):
            self.fault = path.removeprefix("/fault/")
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [self.fault.encode()]
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        answer = {"throttle": THROTTLED, "conflict": CONFLICT if target.endswith(".TransactWriteItems") else None}
        if target.startswith("DynamoDB_") and answer.get(self.fault):
            start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0")])
            return [answer[self.fault]]
        return self.app(environ, start_response)


def create_table(port: int, name: str) -> None:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="eu-west-1",
        aws_access_key_id="suite",
        aws_secret_access_key="suite",  # noqa: S106 (moto's, not a secret)
    )
    project = projects.load()
    properties = data.template(project, name)["Resources"]["GreetingsTable"]["Properties"]
    tables.create_table(dynamodb, name, properties)


def main(port: int, table: str) -> None:
    server = make_server("127.0.0.1", port, FaultSwitch(DomainDispatcherApplication(create_backend_app)))

    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    create_table(port, table)
    print(f"serving DynamoDB on 127.0.0.1:{port} with table {table}", flush=True)
    serving.join()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
