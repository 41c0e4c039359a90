#!/usr/bin/env bash
# Deploys one package, unchanged, to one region, then proves what runs there:
#   1. the function's CodeSha256 (and the live alias's, once CodeDeploy has shifted it) equals
#      the manifest's, so these are the bytes that were tested;
#   2. the API answers as the contract says, to a client that behaves like a browser
#      (scripts/smoke-test.py).
# Any failed check fails the deploy. With a canary, `sls deploy` waits while CodeDeploy shifts
# the alias; if CodeDeploy rolled the release back, this says so and fails.
#
#   scripts/deploy.sh --region REGION [--stage STAGE] [--endpoint URL]
#
# --endpoint replaces the stack's HTTP API URL for the smoke test. The moto rehearsal needs it,
# since moto does not model HTTP APIs: it points at scripts/apigw_front.py instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

stage=$(project_value stages.production)
region=""
endpoint=""
while [ $# -gt 0 ]; do
  case "$1" in
    --region) region=$2; shift 2 ;;
    --stage) stage=$2; shift 2 ;;
    --endpoint) endpoint=$2; shift 2 ;;
    *) die "unknown argument: $1 (usage: $0 --region REGION [--stage STAGE] [--endpoint URL])" ;;
  esac
done
[ -n "$region" ] || die "--region is required"

package_dir="dist/$stage"
[ -f "$package_dir/manifest.json" ] || die "no package for stage $stage: run scripts/package.sh --stage $stage first"
[ -f "$FUNCTION_ZIP" ] || die "$FUNCTION_ZIP is missing: the package needs its zip beside it"
expected=$(manifest_value "$package_dir" codeSha256)
actual_zip=$(openssl dgst -sha256 -binary "$FUNCTION_ZIP" | base64)
[ "$actual_zip" = "$expected" ] || die "$FUNCTION_ZIP is not the zip this package was made from"

stack="$(manifest_value "$package_dir" service)-$stage"
stack_output() {
  aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

say "Deploying $stack to $region from $package_dir (commit $(manifest_value "$package_dir" gitCommit))"
if ! sls deploy --package "$package_dir" --stage "$stage" --region "$region"; then
  scripts/release-status.sh --region "$region" --stack "$stack" || true
  die "deploy to $region failed"
fi
# The stack update waited for CodeDeploy's shift; say how it ended (or that there was none).
scripts/release-status.sh --region "$region" --stack "$stack"

function_name=$(stack_resource "$region" "$stack" "ResourceType=='AWS::Lambda::Function'")
say "Checking the code that runs in $region"
deployed=$(aws lambda get-function --region "$region" --function-name "$function_name" \
  --query Configuration.CodeSha256 --output text)
[ "$deployed" = "$expected" ] || die "$region runs CodeSha256 $deployed, the package is $expected"
echo "$function_name CodeSha256 $deployed matches the manifest"
if [ "$(stack_resource "$region" "$stack" "ResourceType=='AWS::Lambda::Alias'")" != None ]; then
  live=$(aws lambda get-function --region "$region" --function-name "$function_name" \
    --qualifier live --query Configuration.CodeSha256 --output text)
  [ "$live" = "$expected" ] || die "the live alias in $region still serves $live, not $expected"
  echo "$function_name:live CodeSha256 $live matches the manifest"
fi

[ -n "$endpoint" ] || endpoint=$(stack_output HttpApiUrl)
python3 scripts/smoke-test.py "$endpoint" --package "$package_dir"
say "$region serves the package"
