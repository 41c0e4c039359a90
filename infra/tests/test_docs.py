"""README and docs/ stay true of the code: every relative link and anchor resolves, every tool
version and budget they quote is the one its source pins, and every figure they give is one
docs/performance.md measured. Each check has a case that must fail, so it is known to bite.

Hand-written rather than a link checker such as lychee: the links are relative, the anchors are
GitHub's heading slugs, and a few lines of Python check both offline with no new tool."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PERFORMANCE = ROOT / "docs" / "performance.md"
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")


def prose(text: str) -> str:
    """The text a reader follows links in: no fenced or inline code."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, seen = set(), {}
    for line in FENCE.sub("", path.read_text()).splitlines():
        heading = re.match(r"#{1,6} (.+)", line)
        if heading:
            base = slug(heading[1])
            count = seen.get(base, 0)
            found.add(base if count == 0 else f"{base}-{count}")
            seen[base] = count + 1
    return found


def broken_links(path: Path) -> list[str]:
    """Every relative link of a Markdown file whose file or anchor does not exist."""
    broken = []
    for target in LINK.findall(prose(path.read_text())):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists():
            broken.append(f"{target}: no file {linked.relative_to(ROOT) if linked.is_relative_to(ROOT) else linked}")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    return broken


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_and_anchor_resolves(doc):
    assert broken_links(doc) == []


def test_the_link_check_finds_a_missing_file_and_a_missing_anchor(tmp_path):
    (tmp_path / "other.md").write_text("# A heading, with `code`\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#a-heading-with-code) [gone](missing.md) [bad](other.md#nothing) "
        "`[code](not-a-link.md)` [web](https://example.com/x)\n"
    )
    assert broken_links(page) == [
        "missing.md: no file " + str(tmp_path / "missing.md"),
        "other.md#nothing: no heading #nothing in other.md",
    ]


# ---- quoted versions and budgets -------------------------------------------------------------


def shell_variable(path: str, name: str) -> str:
    return re.search(rf"^{name}=(\S+)", (ROOT / path).read_text(), re.MULTILINE)[1]


def budget(name: str) -> float:
    return float(shell_variable("handler/benches/budgets.env", name))


# What a doc may quote, each read from the one place it is pinned: (pattern, source, reader).
VERSIONS = [
    (
        r"cargo-generate[ @](\d+(?:\.\d+)+)",
        "scripts/tools.sh",
        lambda: shell_variable("scripts/tools.sh", "CARGO_GENERATE_VERSION"),
    ),
    (
        r"(?:toolchain install |cargo \+|needs Rust >= )(\d+(?:\.\d+)+)",
        "scripts/tools.sh",
        lambda: shell_variable("scripts/tools.sh", "CARGO_GENERATE_RUST"),
    ),
    (
        r"osls\S* (\d+(?:\.\d+)+)",
        "package.json",
        lambda: json.loads((ROOT / "package.json").read_text())["devDependencies"]["osls"],
    ),
    (
        r"Rust (\d+\.\d+\.\d+)",
        "rust-toolchain.toml",
        lambda: tomllib.loads((ROOT / "rust-toolchain.toml").read_text())["toolchain"]["channel"],
    ),
]
BUDGETS = [
    (r"budget (\d+) KiB", "ZIP_BUDGET_BYTES", lambda: budget("ZIP_BUDGET_BYTES") / 1024),
    (r"budget (\d+) ms", "COLD_START_BUDGET_MS", lambda: budget("COLD_START_BUDGET_MS")),
    (r"budget (\d+) µs", "HANDLER_BUDGET_US", lambda: budget("HANDLER_BUDGET_US")),
    # The two ratios, told apart by what the budget line names.
    (
        r"stateless[^\n]*budget ([\d.]+) \u00d7",
        "COLD_START_STORE_RATIO_BUDGET",
        lambda: budget("COLD_START_STORE_RATIO_BUDGET"),
    ),
    (r"JSON body[^\n]*budget ([\d.]+) \u00d7", "LARGE_BODY_RATIO_BUDGET", lambda: budget("LARGE_BODY_RATIO_BUDGET")),
]
# A dotted version no pattern above reads is a quote nothing keeps true.
DOTTED = re.compile(r"(?<![\w.])\d+\.\d+\.\d+(?![\w.])")
NOT_VERSIONS = {"127.0.0.1"}


def quote_problems(text: str) -> list[str]:
    problems, accounted = [], set()
    for pattern, source, read in VERSIONS:
        for found in re.finditer(pattern, text):
            accounted.add(found[1])
            pinned = read()
            if not (pinned == found[1] or pinned.startswith(found[1] + ".")):
                problems.append(f"{found[0]!r}: {source} pins {pinned}")
    for pattern, name, read in BUDGETS:
        for found in re.finditer(pattern, text):
            if float(found[1]) != read():
                problems.append(f"{found[0]!r}: budgets.env's {name} is {read():g}")
    problems += [
        f"{version}: read it from its source in this test, or do not quote it"
        for version in DOTTED.findall(text)
        if version not in accounted and not any(version.startswith(allowed) for allowed in NOT_VERSIONS)
    ]
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_quoted_version_and_budget_is_the_pinned_one(doc):
    assert quote_problems(doc.read_text()) == []


@pytest.mark.parametrize(
    "text",
    [
        "npx osls 4.3.0 deploys",
        "the zip (budget 9 KiB)",
        "cargo-generate@0.1.0",
        "awscli 2.31.0 is not pinned",
        "cold start of the health route, over stateless 1.02 \u00d7 (budget 9.5 \u00d7)",
        "256 KiB JSON body, over a serde_json round trip 0.08 \u00d7 (budget 9.5 \u00d7)",
    ],
)
def test_the_quote_check_finds_a_version_or_budget_that_drifted(text):
    assert quote_problems(text) != []


# ---- measured figures ------------------------------------------------------------------------

FIGURE = re.compile(r"(?<![\w.])(\d[\d.,]*) ?(KiB|MiB|KB|MB|µs|ms)\b")
# Figures that are not measurements, each with the source that sets it.
SET_NOT_MEASURED = {"1 MiB": ("hello-world/src/body.rs", "MAX_BODY_BYTES: usize = 1024 * 1024")}


def unmeasured_figures(text: str) -> list[str]:
    """Sizes and times a doc gives that docs/performance.md does not."""
    measured = {f"{n} {unit}" for n, unit in FIGURE.findall(PERFORMANCE.read_text())}
    problems = []
    for number, unit in FIGURE.findall(prose(text)):
        figure = f"{number} {unit}"
        if figure in SET_NOT_MEASURED:
            path, line = SET_NOT_MEASURED[figure]
            assert line in (ROOT / path).read_text(), f"{figure}: {path} no longer says {line}"
        elif figure not in measured:
            problems.append(f"{figure}: not a figure docs/performance.md measured")
    return problems


@pytest.mark.parametrize("doc", [d for d in DOCS if d != PERFORMANCE], ids=lambda p: p.name)
def test_every_figure_a_doc_gives_is_one_performance_md_measured(doc):
    assert unmeasured_figures(doc.read_text()) == []


def test_the_figure_check_finds_a_figure_nobody_measured():
    assert unmeasured_figures("a cold start of 0.01 ms") == ["0.01 ms: not a figure docs/performance.md measured"]
