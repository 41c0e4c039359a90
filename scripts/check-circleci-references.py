#!/usr/bin/env python3
"""Checks what CircleCI's JSON schema cannot: that a config's names refer to things it defines.

    python3 scripts/check-circleci-references.py .circleci/config.yml

- every job a workflow runs is defined (or comes from a declared orb);
- every `requires` names a job of the same workflow: its name, its `name:` override, or a
  matrix-expanded name;
- every executor and command a job or command uses is defined (or comes from an orb);
- every `<< parameters.x >>` is declared by the job or command it appears in, and every
  `<< pipeline.parameters.x >>` at the top level;
- every matrix parameter is declared by its job.

Prints one line per problem and exits 1 if there is any.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import yaml

BUILT_IN_STEPS = {
    "add_ssh_keys",
    "attach_workspace",
    "checkout",
    "deploy",
    "persist_to_workspace",
    "restore_cache",
    "run",
    "save_cache",
    "setup_remote_docker",
    "store_artifacts",
    "store_test_results",
    "unless",
    "when",
}
PARAMETER = re.compile(r"<<\s*parameters\.([A-Za-z0-9_-]+)\s*>>")
PIPELINE_PARAMETER = re.compile(r"<<\s*pipeline\.parameters\.([A-Za-z0-9_-]+)\s*>>")
MATRIX_VALUE = re.compile(r"<<\s*matrix\.([A-Za-z0-9_-]+)\s*>>")


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def step_names(steps):
    for step in steps or []:
        name = step if isinstance(step, str) else next(iter(step))
        yield name
        body = step.get(name) if isinstance(step, dict) else None
        if name in ("when", "unless") and isinstance(body, dict):
            yield from step_names(body.get("steps"))


def check(config: dict) -> list[str]:
    problems = []
    orbs = set((config.get("orbs") or {}).keys())
    jobs = config.get("jobs") or {}
    commands = config.get("commands") or {}
    executors = config.get("executors") or {}
    pipeline_parameters = set((config.get("parameters") or {}).keys())

    def from_orb(name: str) -> bool:
        return "/" in name and name.split("/", 1)[0] in orbs

    def check_parameters(kind: str, name: str, body: dict) -> None:
        declared = set((body.get("parameters") or {}).keys())
        for text in strings_in({k: v for k, v in body.items() if k != "parameters"}):
            for used in PARAMETER.findall(text):
                if used not in declared:
                    problems.append(f"{kind} '{name}' uses << parameters.{used} >> but does not declare it")

    def check_steps(kind: str, name: str, steps) -> None:
        for step in step_names(steps):
            if step not in BUILT_IN_STEPS and step not in commands and not from_orb(step):
                problems.append(f"{kind} '{name}' uses command '{step}', which is not defined")

    for name, body in commands.items():
        check_parameters("command", name, body)
        check_steps("command", name, body.get("steps"))
    for name, body in executors.items():
        check_parameters("executor", name, body)
    for name, body in jobs.items():
        check_parameters("job", name, body)
        check_steps("job", name, body.get("steps"))
        executor = body.get("executor")
        executor = executor.get("name") if isinstance(executor, dict) else executor
        if executor and executor not in executors and not from_orb(executor):
            problems.append(f"job '{name}' uses executor '{executor}', which is not defined")

    for text in strings_in(config):
        for used in PIPELINE_PARAMETER.findall(text):
            if used not in pipeline_parameters:
                problems.append(f"<< pipeline.parameters.{used} >> is used but not declared")

    for workflow_name, workflow in (config.get("workflows") or {}).items():
        if not isinstance(workflow, dict):
            continue
        entries = []
        for entry in workflow.get("jobs") or []:
            job, settings = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
            entries.append((job, settings or {}))
        names = set()
        for job, settings in entries:
            # An approval is a pause defined where it is used: its name is all it has.
            approval = settings.get("type") == "approval"
            if job not in jobs and not from_orb(job) and not approval:
                problems.append(f"workflow '{workflow_name}' runs job '{job}', which is not defined")
            names |= run_names(job, settings, jobs.get(job) or {}, problems)
        for job, settings in entries:
            for required in settings.get("requires") or []:
                if required not in names:
                    problems.append(
                        f"workflow '{workflow_name}': '{job}' requires '{required}', "
                        "which no job of the workflow is called"
                    )
    return problems


def run_names(job: str, settings: dict, definition: dict, problems: list[str]) -> set[str]:
    """The names a workflow entry can be required by: its name and its matrix expansions."""
    name = settings.get("name", job)
    matrix = (settings.get("matrix") or {}).get("parameters") or {}
    if not matrix:
        return {name}
    declared = set((definition.get("parameters") or {}).keys())
    for parameter in matrix:
        if parameter not in declared:
            problems.append(f"job '{job}' is run with matrix parameter '{parameter}' it does not declare")
    names = {name}
    keys = list(matrix)
    for combination in itertools.product(*(matrix[key] for key in keys)):
        values = dict(zip(keys, (str(value) for value in combination), strict=True))
        if MATRIX_VALUE.search(name):
            names.add(MATRIX_VALUE.sub(lambda m, values=values: values.get(m.group(1), m.group(0)), name))
        else:
            names.add("-".join([name, *values.values()]))
    return names


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(yaml.safe_load(Path(argv[0]).read_text()))
    for problem in problems:
        print(f"{argv[0]}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{argv[0]}: every reference resolves")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
