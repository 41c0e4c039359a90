"""The response contract (docs/contract.md) as a client sees it, against a running endpoint:
`make run` locally, the qa stage in the pipeline. It checks what a fork keeps, not its wording."""

from __future__ import annotations

import json

from conftest import ORIGIN

# One byte over the 1 MiB the core accepts (hello-world/src/body.rs).
TOO_LARGE = 1024 * 1024 + 1
JSON = {"content-type": "application/json"}


def test_a_plain_get_is_greeted_with_json(client):
    answer = client.send()
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert isinstance(body["message"], str)
    assert body["message"]
    assert body["input"]["method"] == "GET"


def test_the_query_is_echoed_with_every_value_in_order(client):
    answer = client.send(query="tag=b&name=x&tag=a")
    assert answer.json()["input"]["query"] == {"tag": ["b", "a"], "name": ["x"]}


def test_a_json_body_is_echoed_as_json(client):
    sent = {"nested": {"list": [1, 2.5, None, True]}, "text": "é"}
    answer = client.send("POST", headers=JSON, body=json.dumps(sent).encode())
    assert answer.status == 200
    assert answer.json()["input"]["body"] == sent


def test_malformed_json_is_a_400_that_says_where(client):
    answer = client.send("POST", headers=JSON, body=b'{"a": tru}')
    assert answer.status == 400
    assert answer.headers["content-type"].startswith("application/json")
    assert "not valid JSON" in answer.json()["error"]
    assert "line 1" in answer.json()["error"]


def test_a_body_over_one_mebibyte_is_a_413(client):
    answer = client.send("POST", headers={"content-type": "text/plain"}, body=b"a" * TOO_LARGE)
    assert answer.status == 413
    assert str(TOO_LARGE) in answer.json()["error"]


def test_a_page_on_another_origin_may_read_the_answer(client):
    answer = client.send()
    assert answer.headers.get("access-control-allow-origin") in ("*", ORIGIN)


def test_a_browser_preflight_for_a_json_post_is_allowed(client):
    answer = client.send(
        "OPTIONS", headers={"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    )
    assert 200 <= answer.status < 300
    assert answer.headers.get("access-control-allow-origin") in ("*", ORIGIN)
    allowed = answer.headers.get("access-control-allow-methods", "")
    assert "POST" in allowed or "*" in allowed


def test_secrets_are_never_echoed(client):
    secrets = {"authorization": "Bearer s3cr3t-token", "x-api-key": "k3y-value", "cookie": "session=abc123"}
    answer = client.send(headers=secrets)
    headers = answer.json()["input"]["headers"]
    for name in secrets:
        assert headers[name] == ["[redacted]"], name
    for value in ("s3cr3t-token", "k3y-value", "abc123"):
        assert value not in answer.body.decode()


def test_the_health_route_says_which_region_and_version_answered(client, health):
    answer = health.send()
    assert answer.status == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["region"]
    assert body["version"]


def test_every_route_reaches_its_handler_and_answers_json(route):
    route, client = route
    answer = client.send(route.sample_method())
    assert answer.status < 500, answer.body
    assert answer.headers["content-type"].startswith("application/json")
    refused = answer.status in (404, 405) and set(answer.json()) == {"message"}
    assert not refused, f"{route.key} is not served: {answer.status} {answer.body!r}"
    assert answer.headers.get("access-control-allow-origin") in ("*", ORIGIN)


def test_a_path_no_route_names_is_a_json_404_not_a_greeting(unrouted):
    answer = unrouted.send()
    assert answer.status == 404
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == {"message": "Not Found"}
