# shellcheck shell=bash
# Shared by the scripts in this folder; sourced, not run.
# shellcheck disable=SC2034  # the variables are for the scripts that source this file

# The function's binary and where cargo-lambda writes its zip (serverless.yml points here).
FUNCTION_BINARY=hello-world-handler
FUNCTION_ZIP=target/lambda/$FUNCTION_BINARY/bootstrap.zip
# ZIP_BUDGET_BYTES and the other budgets: the deploy package must stay small, since Lambda's
# cold start grows with it.
# shellcheck source=handler/benches/budgets.env
source handler/benches/budgets.env

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# project_value KEY: a value from project.yml, e.g. `service`, `regions.0`, `stages.production`.
project_value() {
  python3 - "$1" <<'PY'
import sys
import yaml

value = yaml.safe_load(open("project.yml"))
for part in sys.argv[1].split("."):
    value = value[int(part)] if isinstance(value, list) else value[part]
print(" ".join(value) if isinstance(value, list) else value)
PY
}

# release_bucket REGION: the name of that region's release bucket, which the stack
# <service>-artifacts (infra/artifact-buckets.yml) created there.
release_bucket() {
  local stack bucket
  stack="$(project_value service)-artifacts"
  bucket=$(stack_resource "$1" "$stack" "ResourceType=='AWS::S3::Bucket'" 2>/dev/null) || bucket=None
  [ -n "$bucket" ] && [ "$bucket" != None ] \
    || die "$1 has no release bucket: deploy infra/artifact-buckets.yml there as the stack $stack (docs/deploy.md)"
  echo "$bucket"
}

# RELEASES: the key prefix under which every release is published, one folder per commit.
RELEASES=releases

# readme_test_command: the command README gives for the whole gate, the one CI runs
# (.ci/run) and the template test runs in a generated copy. README's first code block holds it,
# on the line commented as the whole gate.
readme_test_command() {
  # shellcheck disable=SC2016  # the backticks are Markdown's code fence, not shell
  sed -n '/^```sh$/,/^```$/p' README.md | grep -m1 '# the whole gate' | sed 's/ *#.*//'
}

# manifest_value DIR KEY: a value from a package's manifest.json.
manifest_value() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1/manifest.json" "$2"
}

# stack_resource REGION STACK FILTER: the physical id of the stack's first resource matching a
# JMESPath FILTER such as "ResourceType=='AWS::Lambda::Function'"; "None" when there is none.
stack_resource() {
  aws cloudformation list-stack-resources --region "$1" --stack-name "$2" \
    --query "StackResourceSummaries[?$3].PhysicalResourceId | [0]" --output text
}
