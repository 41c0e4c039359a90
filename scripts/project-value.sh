#!/usr/bin/env bash
# Prints one value of project.yml, e.g. `scripts/project-value.sh regions` or `service`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
project_value "${1:?usage: $0 KEY}"
