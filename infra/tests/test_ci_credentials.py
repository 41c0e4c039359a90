"""scripts/ci-aws-credentials.sh: CircleCI's OIDC token becomes web-identity settings that the
AWS SDKs use by themselves, and nothing runs without the token or the role."""

from __future__ import annotations

import subprocess

from conftest import ROOT

ROLE = "arn:aws:iam::123456789012:role/hello-world-circleci-deploy"


def run(tmp_path, **env):
    return subprocess.run(
        ["bash", "scripts/ci-aws-credentials.sh"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_token_is_handed_to_the_sdks_as_a_web_identity(tmp_path):
    bash_env = tmp_path / "bash_env"
    result = run(tmp_path, CIRCLE_OIDC_TOKEN_V2="eyJ.token.sig", AWS_ROLE_ARN=ROLE, BASH_ENV=str(bash_env))
    assert result.returncode == 0, result.stderr
    token = tmp_path / ".aws-oidc-token"
    assert token.read_text() == "eyJ.token.sig"
    assert token.stat().st_mode & 0o077 == 0
    exported = bash_env.read_text()
    assert f"export AWS_WEB_IDENTITY_TOKEN_FILE={token}" in exported
    assert f"export AWS_ROLE_ARN={ROLE}" in exported
    assert "AWS_SECRET_ACCESS_KEY" not in exported


def test_without_a_token_it_stops_and_says_why(tmp_path):
    result = run(tmp_path, AWS_ROLE_ARN=ROLE, BASH_ENV=str(tmp_path / "bash_env"))
    assert result.returncode != 0
    assert "no OIDC token" in result.stderr


def test_without_a_role_it_stops_and_says_why(tmp_path):
    result = run(tmp_path, CIRCLE_OIDC_TOKEN_V2="t", BASH_ENV=str(tmp_path / "bash_env"))
    assert result.returncode != 0
    assert "AWS_ROLE_ARN" in result.stderr
