"""`python -m ops <command> [arguments]`: every ops command, as the Makefile and CircleCI run
them. `python -m ops <command> --help` says what each takes."""

from __future__ import annotations

import importlib
import sys

from ops.cli import run

# command: (module, function, arguments put before the caller's)
COMMANDS = {
    "package": ("ops.package", "main", []),
    "publish": ("ops.publish", "main", []),
    "deploy": ("ops.deploy", "main", []),
    "deploy-release": ("ops.release", "main", []),
    "smoke": ("ops.smoke", "main", []),
    "smoke-global": ("ops.global_smoke", "main", []),
    "rollback": ("ops.rollback", "main", []),
    "drain": ("ops.drain", "main", ["drain"]),
    "restore": ("ops.drain", "main", ["restore"]),
    "dashboard": ("ops.dashboards", "main", []),
    "stage-url": ("ops.lookup", "stage_url", []),
    "value": ("ops.lookup", "value", []),
    "rehearse": ("ops.rehearse", "main", []),
    "front": ("ops.apigw_front", "main", []),
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m ops <command> [--help]\ncommands: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    module, function, first = COMMANDS[argv[0]]
    # Imported on demand: `value` and `front` start without boto3.
    return run(getattr(importlib.import_module(module), function), [*first, *argv[1:]])


sys.exit(main(sys.argv[1:]))
