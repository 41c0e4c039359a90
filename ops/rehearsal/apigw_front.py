"""A local stand-in for what an API Gateway HTTP API adds in front of the function, read from
the compiled template, so the offline rehearsal sees what a client of the real API sees.

    python -m ops front --template dist/rehearsal-qa/cloudformation-template-update-stack.json \\
        --backend http://127.0.0.1:9055 --port 9056

cargo-lambda's emulator answers every path and method and adds CORS headers of its own; API
Gateway does neither. This front applies, before and after the emulator, what AWS documents:

- Routing ("Working with routes for HTTP APIs", API Gateway developer guide): only the
  template's route keys (`GET /hello`, `ANY /{proxy+}`, `$default`) reach the integration. A
  request that matches none is answered by API Gateway itself: 404 `{"message":"Not Found"}`.
  The most specific route wins, as ops/routes.py chooses (testkit/route-matching.json).
- CORS ("Configure CORS for HTTP APIs in API Gateway"): with a CorsConfiguration, API Gateway
  ignores the CORS headers the integration returns, adds the configured ones only when the
  request carries an `Origin`, and answers a preflight `OPTIONS` (with `Origin` and
  `Access-Control-Request-Method`) itself, whether or not an OPTIONS route exists. Without a
  CorsConfiguration the integration's headers pass through untouched.

Hand-written because no maintained emulator of HTTP APIs runs offline here (LocalStack's needs
Docker; serverless-offline models REST APIs and Lambda, not cargo-lambda's emulator).
"""

from __future__ import annotations

import http.client
import json
import sys
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from ops import cli
from ops.routes import Route, choose

NOT_FOUND = b'{"message":"Not Found"}'
# Not forwarded in either direction: they describe one connection, not the message.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class HttpApi:
    routes: list[Route]
    cors: dict | None
    stage: str = "$default"

    @classmethod
    def from_template(cls, template: dict) -> HttpApi:
        resources = template["Resources"].values()
        apis = [r for r in resources if r["Type"] == "AWS::ApiGatewayV2::Api"]
        if len(apis) != 1:
            raise ValueError(f"expected one AWS::ApiGatewayV2::Api in the template, found {len(apis)}")
        routes = [Route.of(r["Properties"]["RouteKey"]) for r in resources if r["Type"] == "AWS::ApiGatewayV2::Route"]
        stages = [
            r["Properties"].get("StageName", "$default") for r in resources if r["Type"] == "AWS::ApiGatewayV2::Stage"
        ]
        return cls(routes, apis[0]["Properties"].get("CorsConfiguration"), stages[0] if stages else "$default")

    def route(self, method: str, path: str) -> Route | None:
        """The route a request goes to, or None when API Gateway answers 404 itself."""
        if self.stage != "$default":
            prefix = f"/{self.stage}"
            if path != prefix and not path.startswith(prefix + "/"):
                return None
            path = path[len(prefix) :] or "/"
        chosen = choose(self.routes, method, path)
        return chosen[0] if chosen else None

    def allowed_origin(self, origin: str) -> str | None:
        origins = self.cors.get("AllowOrigins", []) if self.cors else []
        if "*" in origins:
            return "*"
        return origin if origin in origins else None

    def cors_headers(self, origin: str | None, preflight: bool) -> list[tuple[str, str]]:
        """The headers API Gateway adds to an answer; none without an Origin or a configuration."""
        if not self.cors or origin is None:
            return []
        allowed = self.allowed_origin(origin)
        if allowed is None:
            return []
        headers = [("access-control-allow-origin", allowed)]
        if self.cors.get("AllowCredentials"):
            headers.append(("access-control-allow-credentials", "true"))
        if preflight:
            for name, key in (
                ("access-control-allow-methods", "AllowMethods"),
                ("access-control-allow-headers", "AllowHeaders"),
            ):
                if self.cors.get(key):
                    headers.append(
                        (name, ",".join(self.cors[key]).lower() if key == "AllowHeaders" else ",".join(self.cors[key]))
                    )
            if "MaxAge" in self.cors:
                headers.append(("access-control-max-age", str(self.cors["MaxAge"])))
        elif self.cors.get("ExposeHeaders"):
            headers.append(("access-control-expose-headers", ",".join(self.cors["ExposeHeaders"])))
        return headers


def handler_for(api: HttpApi, backend: str) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(backend)

    class Front(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args) -> None:
            sys.stderr.write("apigw-front: " + format % args + "\n")

        def answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def handle_any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            origin = self.headers.get("origin")
            path = urlsplit(self.path).path
            if (
                api.cors
                and self.command == "OPTIONS"
                and origin is not None
                and self.headers.get("access-control-request-method")
            ):
                self.answer(204, api.cors_headers(origin, preflight=True), b"")
                return
            if api.route(self.command, path) is None:
                self.answer(
                    404, [("content-type", "application/json"), *api.cors_headers(origin, preflight=False)], NOT_FOUND
                )
                return
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            forwarded = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(self.command, self.path, body=body, headers=forwarded)
            reply = connection.getresponse()
            payload = reply.read()
            headers = [
                (k, v)
                for k, v in reply.getheaders()
                if k.lower() not in HOP_BY_HOP and not (api.cors and k.lower().startswith("access-control-"))
            ]
            connection.close()
            self.answer(reply.status, [*headers, *api.cors_headers(origin, preflight=False)], payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = handle_any

    return Front


def serve(api: HttpApi, backend: str, port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", port), handler_for(api, backend))


def main(argv: list[str]) -> int:
    parser = cli.parser("front", __doc__)
    parser.add_argument("--template", required=True, type=Path, help="the compiled CloudFormation template")
    parser.add_argument("--backend", required=True, help="the function's local URL, e.g. http://127.0.0.1:9055")
    parser.add_argument("--port", required=True, type=int, help="the port on 127.0.0.1 to serve on")
    args = parser.parse_args(argv)
    try:
        api = HttpApi.from_template(json.loads(args.template.read_text()))
    except (OSError, ValueError, KeyError) as problem:
        print(f"apigw-front: cannot read {args.template}: {problem}", file=sys.stderr)
        return 2
    server = serve(api, args.backend, args.port)
    print(f"apigw-front: routes {[r.key for r in api.routes]} on http://127.0.0.1:{args.port}", file=sys.stderr)
    server.serve_forever()
    return 0
