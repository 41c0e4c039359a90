#!/usr/bin/env python3
"""Asks a deployed (or local) endpoint what a browser would, and checks the contract's answer.

    python3 scripts/smoke-test.py BASE_URL [--package dist/prod]

The route comes from the package's compiled template, so a renamed route is smoke-tested where
it now is. Like a browser on another site, every request carries an `Origin`; the checks are
the contract's, never the greeting's wording:

1. GET <route>?smoke=1: 200, JSON, the query echoed, and an Access-Control-Allow-Origin that
   lets the origin read it;
2. when the route takes POST, the browser's preflight OPTIONS allows POST with a JSON
   content type, and a JSON POST is echoed back parsed.

API Gateway adds CORS headers only to requests with an `Origin` ("Configure CORS for HTTP APIs
in API Gateway"), which is why a check without one would fail against the real API.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import cache
from pathlib import Path

import yaml
from http_client import send

ORIGIN = "https://smoke-test.example"
ATTEMPTS = 6


class SmokeFailed(Exception):
    """The endpoint does not keep the contract; the message says how."""


def routes(package: Path) -> list[tuple[str, str]]:
    """(METHOD, path) of every route key of the package's HTTP API; METHOD may be ANY."""
    template = json.loads((package / "cloudformation-template-update-stack.json").read_text())
    keys = [
        r["Properties"]["RouteKey"] for r in template["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Route"
    ]
    return [tuple(key.split(" ", 1)) for key in keys if " " in key]


@cache
def health_path() -> str:
    """The health route's path, from project.yml (the one source of it)."""
    return yaml.safe_load((Path(__file__).resolve().parents[1] / "project.yml").read_text())["health_path"]


def route_for(package: Path, method: str) -> str | None:
    """The first literal path (no {variables}) but the health route that serves `method`."""
    for route_method, path in routes(package):
        if route_method in (method, "ANY") and "{" not in path and path != health_path():
            return path
    return None


def request(url: str, origin: str | None, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    """(status, lower-case headers, body), retrying while the endpoint is not answering yet."""
    sent = {**({"origin": origin} if origin else {}), **(headers or {})}
    try:
        return send(url, method, sent, body, attempts=ATTEMPTS)
    except OSError as problem:
        raise SmokeFailed(f"no answer from {url}: {problem}") from problem


def readable_by(origin: str | None) -> set[str]:
    """The Access-Control-Allow-Origin values that let a page at `origin` read an answer."""
    return {"*", origin} if origin else {"*"}


def json_answer(url: str, origin: str | None, status: int, headers: dict, body: bytes) -> dict:
    if status != 200:
        raise SmokeFailed(f"{url} answered {status}: {body[:300]!r}")
    if not headers.get("content-type", "").startswith("application/json"):
        raise SmokeFailed(f"{url} answered {headers.get('content-type')!r}, not JSON")
    if headers.get("access-control-allow-origin") not in readable_by(origin):
        raise SmokeFailed(f"{url} does not let {origin} read its answer (no Access-Control-Allow-Origin for it)")
    try:
        return json.loads(body)
    except ValueError as problem:
        raise SmokeFailed(f"{url} answered a body that is not JSON: {body[:300]!r}") from problem


def smoke(base: str, package: Path, origin: str | None = ORIGIN) -> list[str]:
    """Runs the checks as a page at `origin` would; returns what passed, or raises SmokeFailed.
    (Tests pass origin=None to show that a client without one cannot pass against API Gateway.)"""
    passed = []
    path = route_for(package, "GET")
    if path is None:
        raise SmokeFailed(f"the package in {package} routes no GET to a literal path")
    url = f"{base.rstrip('/')}{path}"

    answer = json_answer(url, origin, *request(f"{url}?smoke=1", origin))
    if answer.get("input", {}).get("query", {}).get("smoke") != ["1"]:
        raise SmokeFailed(f"GET {url}?smoke=1 did not echo its query: {answer}")
    passed.append(f"GET {path}?smoke=1: 200, JSON, query echoed, readable from {origin}")

    health_url = f"{base.rstrip('/')}{health_path()}"
    health = json_answer(health_url, origin, *request(health_url, origin))
    if health.get("status") != "ok":
        raise SmokeFailed(f"GET {health_url} answered {health}")
    passed.append(f"GET {health_path()}: ok, answered by {health.get('region')} version {health.get('version')}")

    if route_for(package, "POST") == path:
        status, headers, _ = request(
            url,
            origin,
            "OPTIONS",
            {"access-control-request-method": "POST", "access-control-request-headers": "content-type"},
        )
        allowed = headers.get("access-control-allow-methods", "")
        if not 200 <= status < 300 or headers.get("access-control-allow-origin") not in readable_by(origin):
            raise SmokeFailed(f"the preflight for POST {url} answered {status} without letting {origin} in")
        if "POST" not in allowed and "*" not in allowed:
            raise SmokeFailed(f"the preflight for POST {url} allows {allowed!r}, not POST")
        sent = {"smoke": [1, "two", None]}
        posted = request(url, origin, "POST", {"content-type": "application/json"}, json.dumps(sent).encode())
        answer = json_answer(url, origin, *posted)
        if answer.get("input", {}).get("body") != sent:
            raise SmokeFailed(f"POST {url} did not echo its JSON body: {answer}")
        passed.append(f"OPTIONS {path} preflight allows POST; POST {path} with JSON: 200, body echoed")
    return passed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="e.g. https://abc.execute-api.us-east-1.amazonaws.com")
    parser.add_argument("--package", type=Path, default=Path("dist/prod"), help="the package whose routes to test")
    args = parser.parse_args(argv)
    if not args.base_url.startswith(("http://", "https://")):
        print(f"error: {args.base_url} is not an http(s) URL", file=sys.stderr)
        return 2
    if not (args.package / "cloudformation-template-update-stack.json").is_file():
        print(f"error: {args.package} holds no package: run `make package` first", file=sys.stderr)
        return 2
    print(f"\n== Smoke test of {args.base_url} as a browser at {ORIGIN} would", file=sys.stderr)
    try:
        for line in smoke(args.base_url, args.package):
            print(line)
    except SmokeFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
