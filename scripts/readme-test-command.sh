#!/usr/bin/env bash
# Prints the command README gives for the whole gate: the one CI runs (.ci/run) and the
# template test runs in a generated copy. README's first sh code block holds it, on the line
# commented as the whole gate.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2016  # the backticks are Markdown's code fence, not shell
command=$(sed -n '/^```sh$/,/^```$/p' README.md | grep -m1 '# the whole gate' | sed 's/ *#.*//')
[ -n "$command" ] || { echo "README.md gives no test command (a line commented '# the whole gate')" >&2; exit 1; }
echo "$command"
