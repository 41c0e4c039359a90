"""ops/rehearsal/apigw_front.py, the offline stand-in for what the HTTP API adds in front of the
function, and the routes of the compiled template: the contract's requests reach the function,
and the smoke test passes only when it asks as a browser does."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from conftest import ROOT

from ops import project as projects
from ops import smoke as smoke_test
from ops.http_client import send
from ops.rehearsal import apigw_front
from ops.rehearsal.apigw_front import HttpApi
from ops.routes import Route, package_routes

FIXTURES = ROOT / "testkit" / "fixtures"


class Emulator(BaseHTTPRequestHandler):
    """Answers like cargo-lambda's emulator: any path, any method, with CORS headers of its own."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[tuple[str, str]]] = []
    greetings: ClassVar[dict[str, dict]] = {}

    def log_message(self, *args) -> None:
        pass

    def answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        Emulator.seen.append((self.command, self.path))
        query = dict(part.split("=", 1) for part in self.path.partition("?")[2].split("&") if "=" in part)
        status, headers = 200, {}
        if self.path.startswith("/health"):
            payload = json.dumps({"status": "ok", "region": "local", "version": "$LATEST"}).encode()
        elif self.path.startswith("/greetings") and self.command in ("GET", "POST"):
            status, headers, payload = self.greeting(body)
        else:
            payload = json.dumps({"input": {"query": {k: [v] for k, v in query.items()}, "body": body}}).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-type", "application/json")
        self.send_header("access-control-allow-origin", "*")
        self.send_header("access-control-allow-methods", "*")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def greeting(self, body) -> tuple[int, dict, bytes]:
        """The greetings routes, kept in memory: a write answers its Location, a read the record."""
        if self.command == "POST" and isinstance(body, dict) and "name" in body:
            record = {"id": f"g-{len(Emulator.greetings) + 1}", "name": body["name"], "region": "local"}
            Emulator.greetings[f"/greetings/{record['id']}"] = record
            return 201, {"location": f"/greetings/{record['id']}"}, json.dumps(record).encode()
        if self.command == "GET" and self.path in Emulator.greetings:
            return 200, {}, json.dumps(Emulator.greetings[self.path]).encode()
        return 404, {}, json.dumps({"error": "no greeting"}).encode()

    do_GET = do_POST = do_OPTIONS = do_PUT = answer


def serving(server: ThreadingHTTPServer):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def emulator():
    Emulator.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Emulator)
    yield serving(server)
    server.shutdown()


@pytest.fixture
def front(production_template, emulator):
    """The production template's HTTP API in front of the emulator; returns its base URL."""
    servers = []

    def start(template=production_template):
        server = apigw_front.serve(HttpApi.from_template(template), emulator, 0)
        servers.append(server)
        return serving(server)

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="module")
def route(project) -> str:
    """A literal route that takes POST, as the production package routes it (a fork may rename it)."""
    routes = package_routes(projects.load().package_dir(project["stages"]["production"]))
    paths = [route.path for route in routes if route.literal and route.takes("POST")]
    assert paths, "the production package routes no POST to a literal path"
    return paths[0]


def cors_headers(headers):
    return {k: v for k, v in headers.items() if k.startswith("access-control-")}


# ---- routes of the compiled template ---------------------------------------------------------


def fixture_request(event: dict) -> tuple[str, str]:
    """The method and the client's path of a committed fixture, whichever carrier it mimics."""
    if "requestContext" in event and "http" in event["requestContext"]:
        context = event["requestContext"]
        stage = context.get("stage", "$default")
        path = event["rawPath"]
        if stage != "$default" and path.startswith(f"/{stage}/"):
            path = path[len(stage) + 1 :]
        return context["http"]["method"], path
    return event["httpMethod"], event["path"]


@pytest.mark.parametrize("fixture", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_every_fixtures_request_is_routed_to_the_function(production_template, fixture):
    method, path = fixture_request(json.loads((FIXTURES / f"{fixture}.json").read_text()))
    assert HttpApi.from_template(production_template).route(method, path) is not None, f"{method} {path}"


def test_every_route_invokes_the_function_through_its_integration(production_template):
    resources = production_template["Resources"]
    routes = [r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"]
    assert routes
    for route in routes:
        (integration,) = [k for k in resources if json.dumps({"Ref": k}) in json.dumps(route["Properties"]["Target"])]
        assert resources[integration]["Type"] == "AWS::ApiGatewayV2::Integration"


def test_a_request_no_key_matches_goes_to_the_default_route_when_there_is_one():
    """The matching itself is testkit/route-matching.json's (infra/tests/test_routes.py)."""
    keys = [Route.of(k) for k in ("GET /items/{id}", "$default")]
    assert HttpApi(keys, None).route("GET", "/items/42").key == "GET /items/{id}"
    assert HttpApi(keys, None).route("POST", "/elsewhere").key == "$default"
    assert HttpApi(keys[:1], None).route("POST", "/elsewhere") is None


def test_a_stage_other_than_default_is_a_prefix_of_every_path():
    api = HttpApi([Route.of("GET /hello")], None, stage="v1")
    assert api.route("GET", "/v1/hello").key == "GET /hello"
    assert api.route("GET", "/hello") is None


# ---- what the front does ---------------------------------------------------------------------


def test_an_unrouted_request_gets_api_gateways_own_404_and_never_reaches_the_function(front):
    status, headers, body = send(f"{front()}/nowhere")
    assert (status, json.loads(body)) == (404, {"message": "Not Found"})
    assert headers["content-type"] == "application/json"
    assert Emulator.seen == []


def test_a_json_post_reaches_the_function(front, route):
    status, _, body = send(f"{front()}{route}", "POST", {"content-type": "application/json"}, b'{"a": 1}')
    assert status == 200
    assert json.loads(body)["input"]["body"] == {"a": 1}
    assert Emulator.seen == [("POST", route)]


def test_without_an_origin_no_cors_header_is_returned_not_even_the_functions(front, route):
    status, headers, _ = send(f"{front()}{route}")
    assert status == 200
    assert cors_headers(headers) == {}


def test_with_an_origin_api_gateway_adds_its_configured_headers_in_place_of_the_functions(
    front, production_template, route
):
    _, headers, _ = send(f"{front()}{route}", headers={"origin": "https://app.example"})
    exposed = HttpApi.from_template(production_template).cors.get("ExposeHeaders")
    expected = {"access-control-allow-origin": "*"}
    if exposed:
        expected["access-control-expose-headers"] = ",".join(exposed)
    assert cors_headers(headers) == expected


def test_a_preflight_is_answered_by_api_gateway_itself(front, production_template, route):
    status, headers, body = send(
        f"{front()}{route}",
        "OPTIONS",
        {"origin": "https://app.example", "access-control-request-method": "POST"},
    )
    assert (status, body) == (204, b"")
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"].split(",")
    assert Emulator.seen == []


def test_without_a_cors_configuration_the_functions_headers_pass_through(front, production_template, route):
    template = copy.deepcopy(production_template)
    for resource in template["Resources"].values():
        resource.get("Properties", {}).pop("CorsConfiguration", None)
    _, headers, _ = send(f"{front(template)}{route}")
    assert headers["access-control-allow-origin"] == "*"


def test_a_listed_origin_is_echoed_and_another_gets_no_cors_header(production_template):
    api = HttpApi.from_template(production_template)
    api.cors = {**api.cors, "AllowOrigins": ["https://app.example"]}
    assert api.cors_headers("https://app.example", preflight=False)[0] == (
        "access-control-allow-origin",
        "https://app.example",
    )
    assert api.cors_headers("https://evil.example", preflight=False) == []


# ---- the smoke test against it ---------------------------------------------------------------


def test_the_smoke_test_asks_every_route_of_the_package_through_the_stand_in(front, project):
    package = projects.load().package_dir(project["stages"]["production"])
    passed = smoke_test.smoke(front(), package)
    for route in package_routes(package):
        assert any(line.startswith(f"{route.key}: ") for line in passed), (route, passed)
    asked = {(method, path.partition("?")[0]) for method, path in Emulator.seen}
    assert asked >= {(route.sample_method(), route.sample_path()) for route in package_routes(package)}


def test_the_smoke_test_fails_when_a_route_of_the_package_is_not_served(front, production_template, project):
    """A route the template gains but the API in front of the function does not serve."""
    package = projects.load().package_dir(project["stages"]["production"])
    served = copy.deepcopy(production_template)
    first = next(r for r in served["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Route")
    first["Properties"]["RouteKey"] = "GET /elsewhere"
    with pytest.raises(smoke_test.SmokeFailed, match="answered 404"):
        smoke_test.smoke(front(served), package)


def test_the_smoke_test_fails_when_an_unrouted_path_is_greeted(emulator, project):
    """Without API Gateway's routing in front, a function that answers every path fails it."""
    with pytest.raises(smoke_test.SmokeFailed, match="no route names"):
        smoke_test.smoke(emulator, projects.load().package_dir(project["stages"]["production"]))


def test_a_smoke_test_without_an_origin_fails_through_the_stand_in(front, project):
    """The smoke test before it behaved like a browser: no Origin, yet it required
    Access-Control-Allow-Origin. The emulator alone answered that; API Gateway does not."""
    package = projects.load().package_dir(project["stages"]["production"])
    with pytest.raises(smoke_test.SmokeFailed, match="Access-Control-Allow-Origin"):
        smoke_test.smoke(front(), package, origin=None)


def test_a_get_only_route_refuses_a_json_post_before_the_function(front, production_template, route):
    """The fault of a GET-only route: the contract's bodies were unreachable."""
    template = copy.deepcopy(production_template)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::ApiGatewayV2::Route":
            resource["Properties"]["RouteKey"] = f"GET {route}"
    status, _, body = send(f"{front(template)}{route}", "POST", {"content-type": "application/json"}, b"{}")
    assert (status, json.loads(body)) == (404, {"message": "Not Found"})
    assert Emulator.seen == []
