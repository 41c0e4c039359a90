"""Local servers the rehearsal starts and always stops: each in a process group of its own, so
stopping it stops what it spawned too. Python's own modules only, so it runs the same on Linux
and macOS."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import AbstractContextManager, suppress
from pathlib import Path

from ops.cli import Failed
from ops.http_client import send


class Servers(AbstractContextManager):
    """Starts servers with their output in a log each; stops every one on leaving."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        """Starts `command`, with `env` added to this process's environment."""
        log = self.logs / f"{name.replace(' ', '-')}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env={**os.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append((name, process, log))

    def wait_until_answering(self, name: str, url: str, seconds: float = 150) -> None:
        """Waits for `url` to answer at all; on timeout, prints the server's log and fails."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                send(url, timeout=1)
                return
            except OSError:
                time.sleep(0.5)
        log = next(log for each, _, log in self.running if each == name)
        sys.stderr.write(log.read_text(errors="replace"))
        raise Failed(f"{name} did not start at {url}")

    def __exit__(self, *_exc) -> None:
        for _, process, _ in self.running:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for _, process, _ in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
