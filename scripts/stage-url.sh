#!/usr/bin/env bash
# Prints the base URL of a deployed stage's HTTP API in one region (its stack's HttpApiUrl).
#   scripts/stage-url.sh --region REGION [--stage STAGE]     (default: the production stage)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

region="" stage=$(project_value stages.production)
while [ $# -gt 0 ]; do
  case "$1" in
    --region) region=$2; shift 2 ;;
    --stage) stage=$2; shift 2 ;;
    *) die "unknown argument: $1 (usage: $0 --region REGION --stage STAGE)" ;;
  esac
done
[ -n "$region" ] || die "usage: $0 --region REGION [--stage STAGE]"
url=$(aws cloudformation describe-stacks --region "$region" --stack-name "$(project_value service)-$stage" \
  --query "Stacks[0].Outputs[?OutputKey=='HttpApiUrl'].OutputValue | [0]" --output text)
[[ "$url" == https://* ]] || die "$(project_value service)-$stage in $region has no HttpApiUrl output"
echo "$url"
