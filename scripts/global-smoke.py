#!/usr/bin/env python3
"""After every region is deployed: asks the stage's one endpoint (its domain in project.yml)
for the health route, and reports which region and version answered.

    python3 scripts/global-smoke.py [--stage prod] [--url https://api.example.com]

A stage without a domain has no one endpoint: it says so and passes. --url asks another base
URL instead of the domain's (a test, or a region's own API).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml
from http_client import send

PROJECT = Path(__file__).resolve().parents[1] / "project.yml"
ATTEMPTS = 10


def ask(url: str) -> dict:
    """The health answer at `url`, retried while DNS or the endpoint settles."""
    problem: Exception | None = None
    for attempt in range(ATTEMPTS):
        try:
            status, _, body = send(url)
            answer = json.loads(body) if status == 200 else {"status": status}
            if answer.get("status") == "ok":
                return answer
            problem = ValueError(f"answered {answer}")
        except (OSError, ValueError) as failed:
            problem = failed
        if attempt < ATTEMPTS - 1:
            time.sleep(3)
    raise RuntimeError(f"{url}: {problem}")


def main(argv: list[str] | None = None) -> int:
    project = yaml.safe_load(PROJECT.read_text())
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default=project["stages"]["production"])
    parser.add_argument("--url", help="a base URL to ask instead of the stage's domain")
    args = parser.parse_args(argv)
    domain = ((project.get("domains") or {}).get(args.stage) or {}).get("name")
    base = args.url or (f"https://{domain}" if domain else None)
    if base is None:
        print(f"{args.stage} has no domain in project.yml: no one endpoint to check")
        return 0
    if not base.startswith(("http://", "https://")):
        print(f"error: {base} is not an http(s) URL", file=sys.stderr)
        return 2
    url = f"{base.rstrip('/')}{project['health_path']}"
    try:
        answer = ask(url)
    except RuntimeError as failure:
        print(f"error: the one endpoint does not answer: {failure}", file=sys.stderr)
        return 1
    print(f"{url}: ok, answered by {answer.get('region')} version {answer.get('version')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
