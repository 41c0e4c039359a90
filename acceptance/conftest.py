"""The acceptance suite's setup: the endpoint under test and the route serverless.yml gives it.

make acceptance URL=http://127.0.0.1:9000     (against `make run`)
make acceptance URL=https://<api>.execute-api.<region>.amazonaws.com
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "infra"))
sys.path.insert(0, str(ROOT / "scripts"))

import cfn_yaml  # noqa: E402 (found through the paths above)
from http_client import send  # noqa: E402

ORIGIN = "https://acceptance.example"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    """Sends requests to the endpoint as a browser at ORIGIN would."""

    def __init__(self, base: str, route: str):
        self.url = f"{base.rstrip('/')}{route}"

    def send(self, method="GET", query="", headers=None, body: bytes | None = None) -> Answer:
        url = f"{self.url}?{query}" if query else self.url
        sent = {"origin": ORIGIN, **(headers or {})}
        return Answer(*send(url, method, sent, body, timeout=30))


def route_of_the_function() -> str:
    """The first literal path serverless.yml routes to the function: the one source of it."""
    serverless = cfn_yaml.load(ROOT / "serverless.yml")
    for function in serverless["functions"].values():
        for event in function.get("events", []):
            path = event.get("httpApi", {}).get("path", "")
            if path.startswith("/") and "{" not in path and path != health_path():
                return path
    raise LookupError("serverless.yml routes no literal path to the function")


@cache
def health_path() -> str:
    """The health route's path, from project.yml (the one source of it)."""
    return cfn_yaml.load(ROOT / "project.yml")["health_path"]


@pytest.fixture(scope="session")
def health() -> Client:
    base = os.environ.get("ACCEPTANCE_URL", "")
    return Client(base, health_path())


@pytest.fixture(scope="session")
def client() -> Client:
    base = os.environ.get("ACCEPTANCE_URL", "")
    if not base.startswith(("http://", "https://")):
        pytest.exit("set ACCEPTANCE_URL (make acceptance URL=...) to the endpoint's http(s) base URL", returncode=2)
    return Client(base, route_of_the_function())
