"""The release's bytes and what vouches for them: the zip's hashes, as Lambda and S3 compute
them, and the manifest every package carries (dist/<stage>/manifest.json)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

# The manifest's file name in a package folder.
MANIFEST = "manifest.json"


def code_sha256(data: bytes) -> str:
    """The zip's hash as Lambda reports it (CodeSha256) and S3 computes it (ChecksumSHA256):
    base64 of the SHA-256 digest."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def file_code_sha256(path: Path) -> str:
    return code_sha256(path.read_bytes())


@dataclass(frozen=True)
class Manifest:
    service: str
    stage: str
    artifact: str
    bytes: int
    sha256: str
    codeSha256: str
    gitCommit: str

    @classmethod
    def of_zip(cls, data: bytes, *, service: str, stage: str, artifact: str, commit: str) -> Manifest:
        return cls(service, stage, artifact, len(data), hashlib.sha256(data).hexdigest(), code_sha256(data), commit)

    @classmethod
    def parse(cls, text: str | bytes) -> Manifest:
        return cls(**json.loads(text))

    @classmethod
    def read(cls, package_dir: Path) -> Manifest:
        path = package_dir / MANIFEST
        if not path.is_file():
            raise FileNotFoundError(f"{package_dir} holds no package: run `make packages` first")
        return cls.parse(path.read_text())

    def json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    def write(self, package_dir: Path) -> str:
        (package_dir / MANIFEST).write_text(self.json())
        return self.json()
