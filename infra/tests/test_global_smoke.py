"""ops/global_smoke.py: after both regional deploys, the stage's one endpoint answers its
health route, and the check says which region did."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ops import global_smoke
from ops.cli import run


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


def test_a_stage_without_a_domain_has_nothing_to_check(project, capsys):
    assert (project.get("domains") or {}).get("nowhere") is None
    assert run(global_smoke.main, ["--stage", "nowhere"]) == 0
    assert "no domain" in capsys.readouterr().out


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
