"""One HTTP exchange, as the smoke, acceptance and global checks and their tests make it: an
error status is an answer to inspect, not an exception, and a connection that is not up yet
is tried again. Standard library only (urllib): the checks run wherever Python does."""

from __future__ import annotations

import time
import urllib.error
import urllib.request


def send(  # noqa: PLR0913 (the request's four parts, and how long to keep trying)
    url: str,
    method: str = "GET",
    headers: dict | None = None,
    body: bytes | None = None,
    *,
    attempts: int = 1,
    timeout: float = 10,
) -> tuple[int, dict[str, str], bytes]:
    """(status, lower-case headers, body). Raises OSError when no attempt got an answer.
    Callers pass only http(s) URLs."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
                return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
        except urllib.error.HTTPError as answered:
            return answered.code, {k.lower(): v for k, v in answered.headers.items()}, answered.read()
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(2)
    raise ValueError("attempts must be at least 1")
