"""The function's metric documents are valid embedded metric format (EMF): checked against a JSON
schema written from AWS's "Specification: Embedded metric format" (infra/schemas/), and for what
a schema cannot say, that every member a directive names is at the root with the right type.

The documents are the real binary's: the end-to-end test
(handler/tests/api/telemetry.rs) leaves the ones it saw in target/telemetry-samples/.
"""

from __future__ import annotations

import copy
import json

import pytest
from conftest import ROOT
from jsonschema import Draft202012Validator

SCHEMA = json.loads((ROOT / "infra" / "schemas" / "emf.schema.json").read_text())
SAMPLES = ROOT / "target" / "telemetry-samples" / "emf.jsonl"


def problems(document: dict) -> list[str]:
    """Everything that makes `document` an invalid EMF document; none for a valid one."""
    found = [error.message for error in Draft202012Validator(SCHEMA).iter_errors(document)]
    if found:
        return found
    for directive in document["_aws"]["CloudWatchMetrics"]:
        for dimension in {name for dimension_set in directive["Dimensions"] for name in dimension_set}:
            if not isinstance(document.get(dimension), str):
                found.append(f"dimension {dimension} is not a string member of the root")
        for metric in directive["Metrics"]:
            value = document.get(metric["Name"])
            values = value if isinstance(value, list) else [value]
            if not values or len(values) > 100 or not all(_number(v) for v in values):
                found.append(f"metric {metric['Name']} is not a number (or up to 100 numbers) at the root")
    return found


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    if not SAMPLES.is_file():
        pytest.fail(f"{SAMPLES} is missing: run `cargo test` (or `make coverage`) first")
    return [json.loads(line) for line in SAMPLES.read_text().splitlines() if line]


def test_the_binarys_documents_are_valid_emf(documents):
    assert documents
    for document in documents:
        assert problems(document) == [], document


def test_the_binarys_documents_are_dated_now_in_milliseconds(documents):
    for document in documents:
        assert 1_700_000_000_000 < document["_aws"]["Timestamp"] < 100_000_000_000_000


@pytest.mark.parametrize(
    ("mutation", "complaint"),
    [
        (lambda d: d["_aws"].pop("Timestamp"), "Timestamp"),
        (lambda d: d["_aws"]["CloudWatchMetrics"][0].pop("Namespace"), "Namespace"),
        (lambda d: d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0].update(Unit="ms"), "ms"),
        (lambda d: d.pop("Latency"), "metric Latency"),
        (lambda d: d.update(Latency="fast"), "metric Latency"),
        (lambda d: d.update(Route=7), "dimension Route"),
        (lambda d: d.pop("_aws"), "_aws"),
    ],
)
def test_the_check_finds_what_would_make_cloudwatch_drop_a_document(documents, mutation, complaint):
    document = copy.deepcopy(documents[0])
    mutation(document)
    assert any(complaint in problem for problem in problems(document)), problems(document)
