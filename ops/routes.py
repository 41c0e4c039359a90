"""The function's routes, read where they are kept, for the checks that exercise every one, and
how API Gateway chooses among them, for the offline stand-in of the HTTP API.

- The router's own list: handler/src/routes.rs, whose keys `cargo test` keeps in the snapshot
  read here (handler/tests/api/routes.rs), so no route is written into the checks.
- A package's list: the route keys of its compiled template, what API Gateway will route.

infra/tests/test_routes.py holds the two equal, so a check may read either. The matching is
the Rust router's (handler/src/router.rs), and testkit/route-matching.json specifies it for
both: their tests read the same cases.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ops.project import ROOT, template_of

ROUTER_SNAPSHOT = ROOT / "handler" / "tests" / "api" / "snapshots" / "api__routes__routes.snap"


# How a key's path segment matches, least specific first: a greedy tail, a variable, a literal.
GREEDY, VARIABLE, LITERAL = range(3)
DEFAULT_ROUTE = "$default"


def variable_of(segment: str) -> str | None:
    """The name in a `{name}` or `{name+}` segment; None for a literal one."""
    return segment[1:-1] if segment.startswith("{") and segment.endswith("}") else None


def match_path(pattern: str, path: str) -> dict[str, str] | None:
    """The path's variables when `path` matches the key's `pattern`; None when it does not."""
    if not (pattern.startswith("/") and path.startswith("/")):
        return None
    rest, expected_segments, params = path[1:], pattern[1:].split("/"), {}
    for index, expected in enumerate(expected_segments):
        last = index == len(expected_segments) - 1
        name = variable_of(expected)
        if name is not None and name.endswith("+"):
            # `{name+}` takes the rest of the path, at least one character of it.
            return {**params, name[:-1]: rest} if rest and last else None
        segment, slash, rest = rest.partition("/")
        if name is not None and segment:
            params[name] = segment
        elif name is not None or segment != expected:
            return None
        if bool(slash) == last:
            return None
    return params


@dataclass(frozen=True)
class Route:
    method: str  # "ANY" for every method; "" for $default
    path: str

    @classmethod
    def of(cls, key: str) -> Route:
        if key == DEFAULT_ROUTE:
            return cls("", "")
        method, _, path = key.partition(" ")
        return cls(method.upper(), path)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}" if self.method else DEFAULT_ROUTE

    def specificity(self) -> tuple:
        """Orders the routes that match one request: literal segments over variables over a
        greedy tail, from the left, then a named method over ANY."""
        kinds = tuple(
            LITERAL if (name := variable_of(s)) is None else GREEDY if name.endswith("+") else VARIABLE
            for s in self.path.split("/")
        )
        return (kinds, self.method != "ANY")

    @property
    def literal(self) -> bool:
        return "{" not in self.path

    def takes(self, method: str) -> bool:
        return self.method in ("ANY", method)

    def sample_method(self) -> str:
        """A method the route takes: its own, or GET for ANY."""
        return "GET" if self.method == "ANY" else self.method

    def sample_path(self) -> str:
        """A path the route matches: each {variable} filled with a sample value."""
        path = re.sub(r"\{[^}/]+\+\}", "sample/tail", self.path)
        return re.sub(r"\{[^}/]+\}", "sample", path)


def choose(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route API Gateway sends a request to, with the path's variables: the most specific
    key that matches, else `$default` if the API has one; None when API Gateway answers 404."""
    matches = [
        (route, params)
        for route in routes
        if route.method and route.takes(method.upper()) and (params := match_path(route.path, path)) is not None
    ]
    if matches:
        return max(matches, key=lambda match: match[0].specificity())
    default = next((route for route in routes if route.key == DEFAULT_ROUTE), None)
    return (default, {}) if default else None


def router_routes(snapshot: Path = ROUTER_SNAPSHOT) -> list[Route]:
    """The router's table, in its order, from the snapshot `cargo test` keeps of it."""
    text = snapshot.read_text()
    body = text.split("\n---\n", 1)[1] if text.startswith("---") else text
    return [Route.of(key) for key in json.loads(body)]


def package_routes(package: Path) -> list[Route]:
    """Every route key of the package's HTTP API, in template order; `$default` has no path."""
    template = json.loads(template_of(package).read_text())
    keys = [
        r["Properties"]["RouteKey"] for r in template["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Route"
    ]
    return [Route.of(key) for key in keys if " " in key]
