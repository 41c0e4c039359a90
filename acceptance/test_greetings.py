"""Greetings that are kept (docs/data.md), as a client sees them: written, read back where the
Location says, written once per Idempotency-Key, and refused with JSON when the request is wrong.
Every greeting written here expires within minutes (ttlSeconds)."""

from __future__ import annotations

import json
import uuid

import pytest
from conftest import ORIGIN, Client, base_url

JSON = {"content-type": "application/json"}
LIFE = {"ttlSeconds": 300}


@pytest.fixture(scope="module")
def greetings() -> Client:
    return Client(base_url(), "/greetings")


def write(greetings: Client, name: str, key: str | None = None):
    headers = {**JSON, **({"idempotency-key": key} if key else {})}
    return greetings.send("POST", headers=headers, body=json.dumps({"name": name, **LIFE}).encode())


def test_a_greeting_is_written_and_read_back_where_its_location_says(greetings):
    created = write(greetings, "Acceptance")
    assert created.status == 201, created.body
    record = created.json()
    assert record["name"] == "Acceptance"
    assert {"id", "message", "createdAt", "region", "expiresAt"} <= set(record)
    location = created.headers["location"]
    assert location == f"/greetings/{record['id']}"
    read = Client(base_url(), location).send()
    assert read.status == 200
    assert read.json() == record


def test_a_page_on_another_origin_may_read_the_location(greetings):
    created = write(greetings, "Acceptance")
    assert created.headers.get("access-control-allow-origin") in ("*", ORIGIN)
    exposed = created.headers.get("access-control-expose-headers", "").lower()
    assert "location" in exposed


def test_a_browser_may_send_an_idempotency_key(greetings):
    answer = greetings.send(
        "OPTIONS",
        headers={
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type,idempotency-key",
        },
    )
    assert 200 <= answer.status < 300
    assert "idempotency-key" in answer.headers.get("access-control-allow-headers", "").lower()


def test_an_id_never_written_is_a_json_404():
    answer = Client(base_url(), f"/greetings/{uuid.uuid4()}").send()
    assert answer.status == 404
    assert isinstance(answer.json()["error"], str)


def test_a_retry_with_the_same_key_gets_the_first_greeting_again(greetings):
    key = str(uuid.uuid4())
    first, again = write(greetings, "Once", key), write(greetings, "Once", key)
    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()


def test_the_same_key_with_another_body_is_a_422(greetings):
    key = str(uuid.uuid4())
    assert write(greetings, "First", key).status == 201
    answer = write(greetings, "Second", key)
    assert answer.status == 422
    assert isinstance(answer.json()["error"], str)


def test_a_body_that_is_not_json_is_a_415(greetings):
    answer = greetings.send("POST", headers={"content-type": "text/plain"}, body=b"name=x")
    assert answer.status == 415
    assert isinstance(answer.json()["error"], str)


def test_json_without_a_name_is_a_400_that_says_so(greetings):
    answer = greetings.send("POST", headers=JSON, body=b'{"nom": "x"}')
    assert answer.status == 400
    assert "nom" in answer.json()["error"]
