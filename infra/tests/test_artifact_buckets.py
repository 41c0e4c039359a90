"""infra/artifact-buckets.yml, each region's release bucket: lint-clean, and kept the way
releases must be kept: versioned, encrypted, private, TLS-only, and expiring old releases."""

from __future__ import annotations

from conftest import ROOT, lint, load_yaml

TEMPLATE = ROOT / "infra" / "artifact-buckets.yml"


def bucket() -> dict:
    (resource,) = [r for r in load_yaml(TEMPLATE)["Resources"].values() if r["Type"] == "AWS::S3::Bucket"]
    return resource


def test_the_template_passes_cfn_lint():
    assert lint(TEMPLATE) == []


def test_every_release_is_versioned_and_survives_the_stack():
    assert bucket()["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket()["DeletionPolicy"] == "Retain"


def test_releases_are_encrypted_at_rest():
    (rule,) = bucket()["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")


def test_public_access_is_blocked_every_way():
    block = bucket()["Properties"]["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"], True
    )


def test_requests_without_tls_are_denied():
    (policy,) = [r for r in load_yaml(TEMPLATE)["Resources"].values() if r["Type"] == "AWS::S3::BucketPolicy"]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )


def test_old_releases_expire_but_not_before_a_month():
    rules = bucket()["Properties"]["LifecycleConfiguration"]["Rules"]
    (releases,) = [r for r in rules if r.get("Prefix") == "releases/"]
    assert releases["Status"] == "Enabled"
    assert releases["ExpirationInDays"] == {"Ref": "KeepReleasesForDays"}
    assert load_yaml(TEMPLATE)["Parameters"]["KeepReleasesForDays"]["MinValue"] >= 30
    assert releases["NoncurrentVersionExpiration"]["NoncurrentDays"] > 0


def test_the_service_name_matches_the_project(project):
    assert load_yaml(TEMPLATE)["Parameters"]["ServiceName"]["Default"] == project["service"]
