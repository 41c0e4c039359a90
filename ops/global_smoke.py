"""After every region is deployed: asks the stage's one endpoint (its domain in project.yml)
for the health route, and reports which region and version answered.

    python -m ops smoke-global [--stage prod] [--url https://api.example.com]

A stage without a domain has no one endpoint: it says so and passes. --url asks another base
URL instead of the domain's (a test, or a region's own API).
"""

from __future__ import annotations

import json
import time

from ops import cli
from ops import project as projects
from ops.cli import Failed, Refused
from ops.http_client import send

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


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("smoke-global", __doc__)
    cli.stage_option(parser)
    parser.add_argument("--url", help="a base URL to ask instead of the stage's domain")
    args = parser.parse_args(argv)
    stage = project.stage_named(args.stage)
    domain = project.domain(stage)
    base = args.url or (f"https://{domain}" if domain else None)
    if base is None:
        print(f"{stage} has no domain in project.yml: no one endpoint to check")
        return 0
    if not base.startswith(("http://", "https://")):
        raise Refused(f"{base} is not an http(s) URL")
    url = f"{base.rstrip('/')}{project.health_path}"
    try:
        answer = ask(url)
    except RuntimeError as failure:
        raise Failed(f"the one endpoint does not answer: {failure}") from failure
    print(f"{url}: ok, answered by {answer.get('region')} version {answer.get('version')}")
    return 0
