"""The rehearsal's local function is given what Lambda would give it: the project's memory, and
the emulator's Runtime API. That it answers every route is the rehearsal's own check."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from ops import project as projects
from ops.cli import Failed
from ops.rehearsal import function


def with_memory(provider: object = None, own: object = None) -> projects.Project:
    project = projects.load()
    serverless = copy.deepcopy(project.serverless)
    serverless["provider"].pop("memorySize", None)
    key = next(iter(serverless["functions"]))
    serverless["functions"][key].pop("memorySize", None)
    if provider is not None:
        serverless["provider"]["memorySize"] = provider
    if own is not None:
        serverless["functions"][key]["memorySize"] = own
    return dataclasses.replace(project, serverless=serverless)


def test_the_function_gets_the_memory_serverless_yml_gives_it():
    assert function.memory_mb(with_memory(provider=512)) == 512
    assert function.memory_mb(with_memory(provider=512, own=256)) == 256


def test_without_a_memory_size_the_function_gets_the_serverless_clis_default():
    assert function.memory_mb(with_memory()) == 1024


def test_a_memory_size_that_is_not_a_number_is_refused():
    with pytest.raises(Failed, match="memorySize"):
        function.memory_mb(with_memory(provider="${param:memory}"))


def test_the_function_asks_the_emulator_on_its_port_for_events():
    env = function.environment(9055, 128, {"GREETINGS_TABLE": "t"})
    assert env["AWS_LAMBDA_RUNTIME_API"] == "http://127.0.0.1:9055/.rt"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["GREETINGS_TABLE"] == "t"
    assert "9055" in function.emulator_command(9055)
