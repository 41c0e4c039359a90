"""ops/global_smoke.py: after both regional deploys, the stage's one endpoint answers its
health route, and the check says which region did."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ops import global_smoke
from ops.cli import Failed, run
from ops.routes import Route


def serving(answer: dict, project: dict):
    class Health(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            found = self.path == project["health_path"]
            payload = json.dumps(answer if found else {"message": "Not Found"}).encode()
            self.send_response(200 if found else 404)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_it_reports_the_region_that_answered(project, capsys):
    server = serving({"status": "ok", "region": "eu-central-1", "version": "12"}, project)
    try:
        assert run(global_smoke.main, ["--url", f"http://127.0.0.1:{server.server_address[1]}"]) == 0
    finally:
        server.shutdown()
    assert "answered by eu-central-1 version 12" in capsys.readouterr().out


def routing(monkeypatch, *, greetings: bool) -> None:
    """The router's table as a fork's: with the greetings routes, or without them."""
    keys = ["GET /health", *(["POST /greetings", "GET /greetings/{id}"] if greetings else [])]
    monkeypatch.setattr(global_smoke, "router_routes", lambda: [Route.of(key) for key in keys])


def keeping_greetings(monkeypatch, keeps: bool) -> None:
    """As `routing`, with the replication check replaced by one that says where it would run."""
    routing(monkeypatch, greetings=keeps)
    monkeypatch.setattr(global_smoke, "check_replication", lambda urls: [f"replication between {len(urls)}"])


def test_a_stage_without_a_domain_checks_no_one_endpoint_but_still_replication(project, capsys, monkeypatch):
    keeping_greetings(monkeypatch, keeps=True)
    assert (project.get("domains") or {}).get("nowhere") is None
    regions = [f"--region-url={region}=http://127.0.0.1:1" for region in project["regions"]]
    assert run(global_smoke.main, ["--stage", "nowhere", *regions]) == 0
    out = capsys.readouterr().out
    assert "no domain" in out
    assert f"replication between {len(project['regions'])}" in out


def test_a_fork_without_the_greetings_routes_checks_no_replication(project, capsys, monkeypatch):
    keeping_greetings(monkeypatch, keeps=False)
    regions = [f"--region-url={region}=http://127.0.0.1:1" for region in project["regions"]]
    assert run(global_smoke.main, ["--stage", "nowhere", *regions]) == 0
    assert "replication" not in capsys.readouterr().out


def test_an_undeployed_stage_has_no_api_to_check_replication_through(aws, capsys, monkeypatch):
    routing(monkeypatch, greetings=True)
    assert run(global_smoke.main, ["--stage", "nowhere"]) == 1
    assert "no HttpApiUrl output" in capsys.readouterr().err


class Replicas:
    """Two regions' greetings routes over one table that replicates after `lag` seconds
    (never, with None)."""

    def __init__(self, lag: float | None):
        self.lag, self.written = lag, {}

    def serve(self, region: str):
        replicas = self

        class Greetings(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def answer(self, status: int, payload: dict, headers: dict | None = None) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {
                    **(headers or {}),
                    "content-type": "application/json",
                    "content-length": str(len(body)),
                }.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                record = {"id": "g-1", "name": "replication check", "region": region}
                replicas.written["/greetings/g-1"] = (region, time.monotonic(), record)
                self.answer(201, record, {"location": "/greetings/g-1"})

            def do_GET(self) -> None:
                origin, at, record = replicas.written.get(self.path, (None, 0.0, None))
                arrived = origin == region or (replicas.lag is not None and time.monotonic() - at >= replicas.lag)
                self.answer(200, record) if record and arrived else self.answer(404, {"error": "no greeting"})

        server = ThreadingHTTPServer(("127.0.0.1", 0), Greetings)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def test_a_greeting_written_in_one_region_is_read_in_the_others_and_the_lag_is_reported():
    replicas = Replicas(lag=0.6)
    servers = {"us-east-1": replicas.serve("us-east-1"), "us-east-2": replicas.serve("us-east-2")}
    try:
        lines = global_smoke.check_replication(
            {r: f"http://127.0.0.1:{s.server_address[1]}" for r, s in servers.items()}
        )
    finally:
        for server in servers.values():
            server.shutdown()
    assert lines[0] == "us-east-1: wrote greeting g-1"
    assert lines[1].startswith("us-east-2: read it after ")
    assert float(lines[1].split(" after ")[1].split()[0]) >= 0.5


def test_a_greeting_that_never_reaches_another_region_fails_once_the_wait_is_over(monkeypatch):
    monkeypatch.setattr(global_smoke, "REPLICATION_WAIT_SECONDS", 1)
    replicas = Replicas(lag=None)
    servers = {"us-east-1": replicas.serve("us-east-1"), "us-east-2": replicas.serve("us-east-2")}
    try:
        with pytest.raises(Failed, match="us-east-2: the greeting written in us-east-1 is not there after 1 s"):
            global_smoke.check_replication({r: f"http://127.0.0.1:{s.server_address[1]}" for r, s in servers.items()})
    finally:
        for server in servers.values():
            server.shutdown()


def test_an_endpoint_that_is_not_healthy_fails(project, capsys, monkeypatch):
    monkeypatch.setattr(global_smoke, "ATTEMPTS", 1)
    server = serving({"status": "starting"}, project)
    try:
        assert run(global_smoke.main, ["--url", f"http://127.0.0.1:{server.server_address[1]}"]) == 1
    finally:
        server.shutdown()
    assert "does not answer" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["ftp://example.com", "example.com"])
def test_a_url_that_is_not_http_is_refused(url, capsys):
    assert run(global_smoke.main, ["--url", url]) == 2
