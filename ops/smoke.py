"""Asks a deployed (or local) endpoint what a browser would, on every route, and checks the
contract's answer.

    python -m ops smoke BASE_URL [--stage STAGE] [--function-alone]

The routes come from the package's compiled template, so every route a fork adds is
smoke-tested where it is, with no route written here. Like a browser on another site, every
request carries an `Origin`; the checks are the contract's, never a handler's wording:

1. every route, with its method (GET for ANY) and a sample value for each path variable: a
   JSON answer below 500 that is not a refusal, and an Access-Control-Allow-Origin that lets
   the origin read it;
2. the health route: `"status": "ok"`, and which region and version answered;
3. every route that takes POST: the browser's preflight OPTIONS allows POST with a JSON content
   type, and a JSON POST gets a JSON answer below 500;
4. what no route takes is refused with JSON: a path no route names is a 404, and a method a
   routed path does not take is a 404 (API Gateway) or a 405 (the function alone);
5. where the package keeps greetings (POST /greetings and GET /greetings/{id}): a greeting
   written with a short life (it expires within minutes) is read back where its Location says,
   so the region's table and the function's access to it work.

API Gateway adds CORS headers only to requests with an `Origin` ("Configure CORS for HTTP APIs
in API Gateway"), which is why a check without one would fail against the real API.
`--function-alone` asks the function with nothing in front of it (`make run`, the rehearsal's
local function), which owns no CORS: it leaves out the CORS checks and the preflight.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from ops import cli
from ops import project as projects
from ops.cli import Failed, Refused, say
from ops.http_client import send
from ops.routes import Route, package_routes

ORIGIN = "https://smoke-test.example"
ATTEMPTS = 6
# A path no route of any fork names.
UNROUTED_PATH = "/smoke-test/no-route-has-this-path"
# The greetings routes (docs/data.md); a fork that keeps no data has neither, and skips check 5.
WRITE_GREETING, READ_GREETING = "POST /greetings", "GET /greetings/{id}"
SMOKE_GREETING_LIFE_SECONDS = 120


class SmokeFailed(Exception):
    """The endpoint does not keep the contract; the message says how."""


def health_path() -> str:
    return projects.load().health_path


def request(url: str, origin: str | None, method: str = "GET", headers: dict | None = None, body: bytes | None = None):
    """(status, lower-case headers, body), retrying while the endpoint is not answering yet."""
    sent = {**({"origin": origin} if origin else {}), **(headers or {})}
    try:
        return send(url, method, sent, body, attempts=ATTEMPTS)
    except OSError as problem:
        raise SmokeFailed(f"no answer from {url}: {problem}") from problem


def readable_by(origin: str | None) -> set[str | None]:
    """The Access-Control-Allow-Origin values that let a page at `origin` read an answer."""
    return {"*", origin} if origin else {"*"}


def parsed(what: str, headers: dict, body: bytes):
    if not headers.get("content-type", "").startswith("application/json"):
        raise SmokeFailed(f"{what} answered {headers.get('content-type')!r}, not JSON")
    try:
        return json.loads(body)
    except ValueError as problem:
        raise SmokeFailed(f"{what} answered a body that is not JSON: {body[:300]!r}") from problem


def handled(what: str, origin: str | None, status: int, headers: dict, body: bytes):
    """The JSON a route's handler answered, readable from `origin` (unless there is no API
    Gateway in front, origin False); a refusal or 5xx fails."""
    if status >= 500 or (status in (404, 405) and _is_refusal(body)):
        raise SmokeFailed(f"{what} answered {status}: {body[:300]!r}")
    answer = parsed(what, headers, body)
    if origin is not False and headers.get("access-control-allow-origin") not in readable_by(origin):
        raise SmokeFailed(f"{what} does not let {origin} read its answer (no Access-Control-Allow-Origin for it)")
    return answer


def _is_refusal(body: bytes) -> bool:
    try:
        return set(json.loads(body)) == {"message"}
    except (ValueError, TypeError):
        return False


def check_route(base: str, route: Route, origin: str | None) -> str:
    method, path = route.sample_method(), route.sample_path()
    status, headers, body = request(f"{base}{path}", origin, method)
    handled(f"{method} {path}", origin, status, headers, body)
    readable = f", readable from {origin}" if origin is not False else ""
    return f"{route.key}: {method} {path} answered {status} with JSON{readable}"


def check_health(base: str, origin: str | None) -> str:
    status, headers, body = request(f"{base}{health_path()}", origin)
    health = handled(f"GET {health_path()}", origin, status, headers, body)
    if status != 200 or health.get("status") != "ok":
        raise SmokeFailed(f"GET {health_path()} answered {status}: {health}")
    return f"GET {health_path()}: ok, answered by {health.get('region')} version {health.get('version')}"


def check_post(base: str, route: Route, origin: str | None) -> str:
    url = f"{base}{route.sample_path()}"
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    status, headers, _ = request(url, origin, "OPTIONS", preflight)
    allowed = headers.get("access-control-allow-methods", "")
    if not 200 <= status < 300 or headers.get("access-control-allow-origin") not in readable_by(origin):
        raise SmokeFailed(f"the preflight for POST {url} answered {status} without letting {origin} in")
    if "POST" not in allowed and "*" not in allowed:
        raise SmokeFailed(f"the preflight for POST {url} allows {allowed!r}, not POST")
    body = json.dumps({"smoke": [1, "two", None]}).encode()
    status, headers, answer = request(url, origin, "POST", {"content-type": "application/json"}, body)
    handled(f"POST {route.sample_path()}", origin, status, headers, answer)
    return f"{route.key}: the preflight allows POST; a JSON POST answered {status} with JSON"


def write_greeting(base: str, origin: str | None, name: str, life_seconds: int) -> tuple[dict, str]:
    """Writes a greeting that expires after `life_seconds`, under a key of its own; its record
    and its Location, or SmokeFailed. (origin False: no CORS to check.)"""
    body = json.dumps({"name": name, "ttlSeconds": life_seconds}).encode()
    headers = {"content-type": "application/json", "idempotency-key": f"smoke-{uuid.uuid4()}"}
    status, answered, written = request(f"{base.rstrip('/')}/greetings", origin, "POST", headers, body)
    record = handled("POST /greetings", origin, status, answered, written)
    location = answered.get("location", "")
    if status != 201 or not location.startswith("/greetings/"):
        raise SmokeFailed(f"POST /greetings answered {status}, Location {location!r}: {written[:300]!r}")
    return record, location


def check_greetings(base: str, origin: str | None) -> str:
    """Writes a short-lived greeting and reads it back where its Location says."""
    record, location = write_greeting(base, origin, "smoke test", SMOKE_GREETING_LIFE_SECONDS)
    status, answered, read = request(f"{base}{location}", origin)
    if status != 200 or handled(f"GET {location}", origin, status, answered, read) != record:
        raise SmokeFailed(f"GET {location} answered {status}, not the greeting just written: {read[:300]!r}")
    return f"{WRITE_GREETING} then {READ_GREETING}: written in {record.get('region')} and read back"


def check_refusals(base: str, routes: list[Route], origin: str | None) -> list[str]:
    passed = []
    status, headers, body = request(f"{base}{UNROUTED_PATH}", origin)
    if status != 404 or not _is_refusal(body) or parsed(f"GET {UNROUTED_PATH}", headers, body) is None:
        raise SmokeFailed(f"GET {UNROUTED_PATH}, which no route names, answered {status}: {body[:300]!r}")
    passed.append(f"GET {UNROUTED_PATH}: 404 JSON, as no route names it")
    for route in routes:
        if route.method == "ANY" or any(other.path == route.path and other.takes("DELETE") for other in routes):
            continue
        path = route.sample_path()
        status, headers, body = request(f"{base}{path}", origin, "DELETE")
        if status not in (404, 405) or not _is_refusal(body) or parsed(f"DELETE {path}", headers, body) is None:
            raise SmokeFailed(f"DELETE {path}, which no route takes, answered {status}: {body[:300]!r}")
        passed.append(f"DELETE {path}: {status} JSON, as only {route.method} is routed there")
    return passed


def smoke(base: str, package: Path, origin: str | None = ORIGIN, *, function_alone: bool = False) -> list[str]:
    """Runs the checks as a page at `origin` would; returns what passed, or raises SmokeFailed.
    (Tests pass origin=None to show that a client without one cannot pass against API Gateway.)
    With `function_alone`, nothing in front owns CORS, so no CORS header is asked for."""
    base = base.rstrip("/")
    routes = package_routes(package)
    if not routes:
        raise SmokeFailed(f"the package in {package} routes nothing")
    checked_origin = False if function_alone else origin
    passed = [check_route(base, route, checked_origin) for route in routes]
    passed.append(check_health(base, checked_origin))
    if not function_alone:
        passed += [check_post(base, route, origin) for route in routes if route.takes("POST")]
    passed += check_refusals(base, routes, origin)
    if {WRITE_GREETING, READ_GREETING} <= {route.key for route in routes}:
        passed.append(check_greetings(base, checked_origin))
    return passed


def run(base: str, package: Path, *, function_alone: bool = False) -> None:
    """Prints what passed; Failed when the endpoint breaks the contract."""
    asker = "with nothing in front of the function" if function_alone else f"as a browser at {ORIGIN} would"
    say(f"Smoke test of {base} {asker}")
    try:
        for line in smoke(base, package, function_alone=function_alone):
            print(line, flush=True)
    except SmokeFailed as failure:
        raise Failed(str(failure)) from failure


def main(argv: list[str]) -> int:
    project = projects.load()
    parser = cli.parser("smoke", __doc__)
    parser.add_argument("base_url", help="e.g. https://abc.execute-api.us-east-1.amazonaws.com")
    cli.stage_option(parser)
    parser.add_argument("--function-alone", action="store_true", help="no API Gateway in front: no CORS to check")
    args = parser.parse_args(argv)
    if not args.base_url.startswith(("http://", "https://")):
        raise Refused(f"{args.base_url} is not an http(s) URL")
    package = project.package_dir(project.stage_named(args.stage))
    if not projects.template_of(package).is_file():
        raise Refused(f"{package} holds no package: run `make package` first")
    run(args.base_url, package, function_alone=args.function_alone)
    return 0
