#!/usr/bin/env python3
"""Rewrites a fresh copy of this template under a new name and regions.

    python3 template/rename.py NEW-NAME FIRST-REGION SECOND-REGION

Run by template/rename.rhai, in the generated folder. It replaces the four spellings of the
template's name (kebab-case for crates, the service and files; snake_case for Rust paths;
UpperCamelCase for the core's type; lowerCamelCase where the original example's names
appear) in every text file and in file and folder names, and the two default regions in every
text file: where they are configured (project.yml) and wherever they are shown, so that a copy
names no region it does not deploy to.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

OLD_NAME = "hello-world"
OLD_REGIONS = ("us-east-1", "us-east-2")
SKIPPED_DIRS = {".git", "target", ".tools", "node_modules", "dist", "template"}


def renames(new: str) -> list[tuple[str, str]]:
    old_words, new_words = OLD_NAME.split("-"), new.split("-")
    camel = lambda words: "".join(word.capitalize() for word in words)  # noqa: E731
    lower_camel = lambda words: words[0] + camel(words[1:])  # noqa: E731
    return [
        ("-".join(old_words), "-".join(new_words)),
        ("_".join(old_words), "_".join(new_words)),
        (camel(old_words), camel(new_words)),
        (lower_camel(old_words), lower_camel(new_words)),
    ]


def text_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(root).parts):
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    new_name, *new_regions = argv
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", new_name):
        print(f"the name must be kebab-case (like my-api), not '{new_name}'", file=sys.stderr)
        return 2
    if new_regions[0] == new_regions[1]:
        print("the two regions must differ", file=sys.stderr)
        return 2
    root = Path.cwd()
    spellings = renames(new_name)
    for path, text in text_files(root):
        new_text = text
        for old, new in spellings:
            new_text = new_text.replace(old, new)
        # Through a placeholder, so that swapping us-east-1 and us-east-2 works too.
        for index, old_region in enumerate(OLD_REGIONS):
            new_text = new_text.replace(old_region, f"\0region{index}\0")
        for index, region in enumerate(new_regions):
            new_text = new_text.replace(f"\0region{index}\0", region)
        if new_text != text:
            path.write_text(new_text, encoding="utf-8")
    rename_paths(root, spellings)
    return 0


def rename_paths(root: Path, spellings: list[tuple[str, str]]) -> None:
    """Renames files and folders named after the template, deepest first (`hello-world/`)."""
    paths = sorted(root.rglob("*"), key=lambda path: len(path.parts), reverse=True)
    for path in paths:
        if SKIPPED_DIRS.intersection(path.relative_to(root).parts):
            continue
        new_name = path.name
        for old, new in spellings:
            new_name = new_name.replace(old, new)
        if new_name != path.name:
            path.rename(path.with_name(new_name))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
