"""The router (handler/src/routes.rs, kept in a snapshot by `cargo test`) and the compiled
templates name the same route keys, in both directions: API Gateway routes exactly what the
function serves, so no route is unreachable and none reaches the function unserved."""

from __future__ import annotations

import json

import pytest
from conftest import packaged

from ops import project as projects
from ops.routes import ROUTER_SNAPSHOT, Route, choose, package_routes, router_routes


def keys(routes: list[Route]) -> set[str]:
    return {route.key for route in routes}


@pytest.mark.parametrize("stage", ["qa", "production"])
def test_the_template_routes_exactly_what_the_router_serves(project, root, stage):
    package = projects.load().package_dir(project["stages"][stage])
    packaged(project["stages"][stage])  # fails with the command to run when it is missing
    template, router = keys(package_routes(package)), keys(router_routes())
    assert template - router == set(), "routed by API Gateway, but no handler: add them to handler/src/routes.rs"
    assert router - template == set(), (
        "served by the router, but API Gateway never routes them: add them to serverless.yml"
    )


def test_the_router_snapshot_is_the_one_cargo_test_keeps():
    header = ROUTER_SNAPSHOT.read_text().split("\n---\n", 1)[0]
    assert "source: handler/tests/api/routes.rs" in header
    assert router_routes(), "the router serves nothing"


def test_a_router_route_the_template_lacks_is_found(tmp_path, project, root):
    snapshot = tmp_path / "routes.snap"
    extra = [*(route.key for route in router_routes()), "GET /only-in-the-router"]
    snapshot.write_text("---\nsource: handler/tests/api/routes.rs\n---\n" + json.dumps(extra))
    template = keys(package_routes(projects.load().package_dir(project["stages"]["production"])))
    assert keys(router_routes(snapshot)) - template == {"GET /only-in-the-router"}


def test_the_health_route_of_project_yml_is_a_get_the_router_serves(project):
    assert Route("GET", project["health_path"]) in router_routes()


def test_a_route_key_reads_as_api_gateway_writes_it():
    route = Route.of("ANY /files/{path+}")
    assert (route.method, route.path, route.key) == ("ANY", "/files/{path+}", "ANY /files/{path+}")
    assert route.takes("DELETE")
    assert route.sample_method() == "GET"
    assert route.sample_path() == "/files/sample/tail"
    assert Route.of("GET /items/{id}/parts").sample_path() == "/items/sample/parts"
    assert not Route.of("POST /x").takes("GET")


ROUTE_MATCHING = json.loads((projects.ROOT / "testkit" / "route-matching.json").read_text())["cases"]


@pytest.mark.parametrize("case", ROUTE_MATCHING, ids=lambda c: f"{c['method']} {c['path']} among {c['routes']}")
def test_the_stand_in_chooses_routes_as_the_specification_says(case):
    """The same cases the Rust router's tests read: API Gateway's matching, specified once."""
    chosen = choose([Route.of(key) for key in case["routes"]], case["method"], case["path"])
    expected = (case["chosen"], case.get("params")) if case["chosen"] else None
    assert ((chosen[0].key, chosen[1]) if chosen else None) == expected
