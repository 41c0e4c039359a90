"""The function's routes, read where they are kept, for the checks that exercise every one.

- The router's own list: handler/src/routes.rs, whose keys `cargo test` keeps in the snapshot
  read here (handler/tests/api/routes.rs), so no route is written into the checks.
- A package's list: the route keys of its compiled template, what API Gateway will route.

infra/tests/test_routes.py holds the two equal, so a check may read either.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ops.project import ROOT, TEMPLATE

ROUTER_SNAPSHOT = ROOT / "handler" / "tests" / "api" / "snapshots" / "api__routes__routes.snap"


@dataclass(frozen=True)
class Route:
    method: str
    path: str

    @classmethod
    def of(cls, key: str) -> Route:
        method, _, path = key.partition(" ")
        return cls(method, path)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

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


def router_routes(snapshot: Path = ROUTER_SNAPSHOT) -> list[Route]:
    """The router's table, in its order, from the snapshot `cargo test` keeps of it."""
    text = snapshot.read_text()
    body = text.split("\n---\n", 1)[1] if text.startswith("---") else text
    return [Route.of(key) for key in json.loads(body)]


def package_routes(package: Path) -> list[Route]:
    """Every route key of the package's HTTP API, in template order; `$default` has no path."""
    template = json.loads((package / TEMPLATE).read_text())
    keys = [
        r["Properties"]["RouteKey"] for r in template["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Route"
    ]
    return [Route.of(key) for key in keys if " " in key]
