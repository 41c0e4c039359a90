"""`python -m ops <command> [arguments]`: every ops command, as the Makefile and CircleCI run
them. `python -m ops --help` lists them; `python -m ops <command> --help` says what each takes."""

from __future__ import annotations

import importlib
import sys

from ops.cli import run

# command: (module, function, arguments put before the caller's, what it does)
COMMANDS = {
    "package": ("ops.package", "main", [], "build the zip once and package a stage from it, with its manifest"),
    "publish": ("ops.publish", "main", [], "put a release in every region's release bucket"),
    "deploy": ("ops.deploy", "main", [], "deploy a stage's package to a region (or every region), then check it"),
    "deploy-release": ("ops.release", "main", [], "deploy a published release from each region's bucket"),
    "data": ("ops.data", "main", [], "plan (or --apply) a stage's global table, in the first region"),
    "smoke": ("ops.smoke", "main", [], "ask every route of a package at a base URL, as a browser would"),
    "smoke-global": ("ops.global_smoke", "main", [], "ask a stage's one endpoint which region answers"),
    "rollback": ("ops.rollback", "main", [], "move the live alias back to a release, in every region"),
    "drain": ("ops.drain", "main", ["drain"], "send a stage's traffic away from one region"),
    "restore": ("ops.drain", "main", ["restore"], "let a drained region serve the stage again"),
    "dashboard": ("ops.dashboards", "main", [], "print a stage's dashboard in every region"),
    "stage-url": ("ops.lookup", "stage_url", [], "print a stage's HTTP API URL in one region"),
    "value": ("ops.lookup", "value", [], "print one value of project.yml or serverless.yml"),
    "preview": ("ops.previews.deploy", "main", [], "deploy a branch's preview stage, test it and print its URL"),
    "preview-remove": ("ops.previews.teardown", "remove_main", [], "plan (or --apply) the removal of one preview"),
    "reap": ("ops.previews.teardown", "reap_main", [], "plan (or --apply) removing previews of gone or idle branches"),
    "bootstrap": ("ops.setup.bootstrap", "main", [], "set up an AWS account for the project: plan, then --apply"),
    "rehearse": ("ops.rehearsal.run", "main", [], "offline: the whole delivery chain against a local moto"),
    "front": ("ops.rehearsal.apigw_front", "main", [], "offline: the HTTP API stand-in the rehearsal serves"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"  {name:<{width}}  {summary}" for name, (*_, summary) in COMMANDS.items()]
    return "\n".join(["usage: python -m ops <command> [--help]", "", "commands:", *lines])


def main(argv: list[str]) -> int:
    if argv in (["--help"], ["-h"]):
        print(usage())
        return 0
    if not argv or argv[0] not in COMMANDS:
        print(usage(), file=sys.stderr)
        return 2
    module, function, first, _ = COMMANDS[argv[0]]
    # Imported on demand, so that a command loads only what it uses (`value` needs no boto3).
    return run(getattr(importlib.import_module(module), function), [*first, *argv[1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
