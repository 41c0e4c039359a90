"""The rehearsal's local function: the host build that `make budgets` measures (the bench profile,
optimised as the arm64 zip is), served through cargo-lambda's Runtime API emulator.

Why that build, and not one of its own: the gate has just built it, so the rehearsal builds
nothing, where a debug build of its own took a minute of every `make test` (docs/performance.md,
"Test-gate time"). A plain `cargo build --profile bench` would not do either: the bench's
dev-dependencies turn on features of crates the AWS SDK uses, so Cargo would build the SDK a
second time. Run alone, `make rehearse` builds the bench once, which `make budgets` then reuses.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

from ops.cli import Failed, say

# What cargo-lambda's emulator asks of a function it does not start itself (`--only-lambda-apis`
# prints these): it serves every invocation to the function named `_`.
RUNTIME_API_PATH = "/.rt"
FUNCTION_NAME = "_"


def build(project) -> Path:
    """Builds (or finds built) the function as `make budgets` does, and returns its path."""
    say(f"The function for this machine, as `make budgets` builds it: {project.binary}")
    command = ["cargo", "bench", "--locked", "--no-run", "-p", project.binary, "--bench", "budgets"]
    result = subprocess.run(
        [*command, "--message-format=json-render-diagnostics"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise Failed(f"`{' '.join(command)}` failed (its errors are above)")
    for line in result.stdout.splitlines():
        message = json.loads(line)
        target = message.get("target", {})
        if message["reason"] == "compiler-artifact" and target["kind"] == ["bin"] and target["name"] == project.binary:
            return Path(message["executable"])
    raise Failed(f"`{' '.join(command)}` built no binary named {project.binary}")


def emulator_command(port: int) -> list[str]:
    return [
        "cargo",
        "lambda",
        "watch",
        "--only-lambda-apis",
        "--invoke-address",
        "127.0.0.1",
        "--invoke-port",
        str(port),
    ]


def memory_mb(project) -> int:
    """The function's memory, as serverless.yml gives it (the Serverless CLI's 1024 if unset)."""
    memory = project.function.get("memorySize", project.serverless["provider"].get("memorySize", 1024))
    if not isinstance(memory, int):
        raise Failed(f"serverless.yml's memorySize {memory!r} is not a number of MB")
    return memory


def environment(port: int, memory_mb: int, extra: dict[str, str]) -> dict[str, str]:
    """What Lambda (here, the emulator on `port`) gives the function's process."""
    return {
        "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{port}{RUNTIME_API_PATH}",
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        **extra,
    }


def wait_until_listening(port: int, seconds: float = 60) -> None:
    """The function asks the emulator for its first event as it starts, and exits if nothing
    listens: it is started only once the emulator does. An HTTP request would not do to wait
    with, since the emulator would hold it as an invocation for a function not yet there."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise Failed(f"cargo-lambda's emulator did not listen on 127.0.0.1:{port}")
