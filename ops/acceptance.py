"""The acceptance suite (acceptance/) against one base URL, as `make acceptance URL=...` runs it:
what the rehearsal and a branch's preview run after their deploys."""

from __future__ import annotations

import os
import subprocess
import sys

from ops.cli import Failed, say


def run(project, url: str, what: str) -> None:
    say(f"Acceptance of {what}, at {url}")
    accepted = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "acceptance"],
        cwd=project.root,
        env={**os.environ, "ACCEPTANCE_URL": url},
        check=False,
    )
    if accepted.returncode:
        raise Failed(f"{what} failed its acceptance")
