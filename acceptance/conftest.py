"""The acceptance suite's setup: the endpoint under test, and the routes the router serves
(handler/src/routes.rs, as `cargo test` keeps them in a snapshot): no route is written here.

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
sys.path.insert(0, str(ROOT))

from ops import project as projects  # noqa: E402 (found through the path above)
from ops.http_client import send  # noqa: E402
from ops.routes import Route, router_routes  # noqa: E402

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


ROUTES = router_routes()


def greeting_route() -> str:
    """The greeting's path: the router's first literal route that takes every method."""
    for route in ROUTES:
        if route.method == "ANY" and route.literal and route.path != health_path():
            return route.path
    raise LookupError("the router serves no literal ANY route: the greeting's contract has nowhere to run")


@cache
def health_path() -> str:
    """The health route's path, from project.yml (the one source of it)."""
    return projects.load().health_path


@pytest.fixture(scope="session")
def health() -> Client:
    return Client(base_url(), health_path())


def base_url() -> str:
    base = os.environ.get("ACCEPTANCE_URL", "")
    if not base.startswith(("http://", "https://")):
        pytest.exit("set ACCEPTANCE_URL (make acceptance URL=...) to the endpoint's http(s) base URL", returncode=2)
    return base


@pytest.fixture(scope="session")
def client() -> Client:
    return Client(base_url(), greeting_route())


@pytest.fixture(params=ROUTES, ids=lambda route: route.key)
def route(request) -> tuple[Route, Client]:
    """Each route the router serves, with a client for a path it matches."""
    return request.param, Client(base_url(), request.param.sample_path())


@pytest.fixture(scope="session")
def unrouted() -> Client:
    return Client(base_url(), "/acceptance/no-route-has-this-path")
