"""After every region is deployed, two checks of the stage as one service:

1. its one endpoint (its domain in project.yml) answers the health route; it reports which
   region and version answered. A stage without a domain has no one endpoint, and says so;
2. where the router keeps greetings (docs/data.md): a greeting written through the first
   region's API is read through every other region's within REPLICATION_WAIT_SECONDS, which
   proves the global table replicates. It reports each region's lag.

    python -m ops smoke-global [--stage prod] [--url https://api.example.com]
                               [--region-url REGION=URL ...]

--url asks another base URL instead of the domain's (a test, or a region's own API);
--region-url gives a region's API instead of its stack's HttpApiUrl (a test, the rehearsal).
"""

from __future__ import annotations

import json
import time

from ops import cli, smoke
from ops import project as projects
from ops.cli import Failed, Refused
from ops.http_client import send
from ops.routes import router_routes
from ops.smoke import READ_GREETING, WRITE_GREETING

ATTEMPTS = 10
# DynamoDB replicates a global table's writes within a second or two; 30 s is far past that,
# and short enough to fail a pipeline whose replication has stopped.
REPLICATION_WAIT_SECONDS = 30


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


def check_replication(urls: dict[str, str]) -> list[str]:
    """Writes a short-lived greeting through the first region's API and reads it through each
    other region's, waiting up to REPLICATION_WAIT_SECONDS for it to arrive; what each took."""
    wait = REPLICATION_WAIT_SECONDS
    (first, base), *others = urls.items()
    try:
        record, location = smoke.write_greeting(base, False, "replication check", 300)
    except smoke.SmokeFailed as failure:
        raise Failed(f"{first}: {failure}") from failure
    lines = [f"{first}: wrote greeting {record['id']}"]
    for region, other in others:
        started = time.monotonic()
        while True:
            status, _, read = send(f"{other.rstrip('/')}{location}")
            if status == 200 and json.loads(read) == record:
                lines.append(f"{region}: read it after {time.monotonic() - started:.1f} s")
                break
            if time.monotonic() - started > wait:
                raise Failed(f"{region}: the greeting written in {first} is not there after {wait} s ({status})")
            time.sleep(0.5)
    return lines


def regional_urls(project, stage: str, given: list[str]) -> dict[str, str]:
    """Each region's API: as given (REGION=URL), else its stack's HttpApiUrl."""
    urls = dict(item.split("=", 1) for item in given if "=" in item)
    if len(urls) != len(given) or not all(url.startswith(("http://", "https://")) for url in urls.values()):
        raise Refused(f"--region-url takes REGION=http(s)://..., not {given}")
    if urls:
        return {region: urls[region] for region in project.regions if region in urls}
    # Imported here: boto3 takes longer to import than the health check takes.
    from ops.aws import stage_api_url  # noqa: PLC0415

    return {region: stage_api_url(project, region, stage) for region in project.regions}


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("smoke-global", __doc__)
    cli.stage_option(parser)
    parser.add_argument("--url", help="a base URL to ask instead of the stage's domain")
    parser.add_argument("--region-url", action="append", default=[], help="REGION=URL: a region's API")
    args = parser.parse_args(argv)
    stage = project.stage_named(args.stage)
    domain = project.domain(stage)
    base = args.url or (f"https://{domain}" if domain else None)
    if base is None:
        print(f"{stage} has no domain in project.yml: no one endpoint to check")
    elif not base.startswith(("http://", "https://")):
        raise Refused(f"{base} is not an http(s) URL")
    else:
        url = f"{base.rstrip('/')}{project.health_path}"
        try:
            answer = ask(url)
        except RuntimeError as failure:
            raise Failed(f"the one endpoint does not answer: {failure}") from failure
        print(f"{url}: ok, answered by {answer.get('region')} version {answer.get('version')}")
    keeps_greetings = {WRITE_GREETING, READ_GREETING} <= {route.key for route in router_routes()}
    if keeps_greetings and (args.region_url or not args.url):
        urls = regional_urls(project, stage, args.region_url)
        if len(urls) > 1:
            for line in check_replication(urls):
                print(line)
    return 0
