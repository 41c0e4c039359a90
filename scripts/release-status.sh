#!/usr/bin/env bash
# Says what CodeDeploy did with the latest release of a stack: succeeded, still shifting, or
# rolled back (and why). Exit status 0 only when the latest deployment succeeded.
#   scripts/release-status.sh --region REGION --stack STACK
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

region="" stack=""
while [ $# -gt 0 ]; do
  case "$1" in
    --region) region=$2; shift 2 ;;
    --stack) stack=$2; shift 2 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[ -n "$region" ] && [ -n "$stack" ] || die "usage: $0 --region REGION --stack STACK"

application=$(stack_resource "$region" "$stack" "ResourceType=='AWS::CodeDeploy::Application'")
group=$(stack_resource "$region" "$stack" "ResourceType=='AWS::CodeDeploy::DeploymentGroup'")
if [ -z "$application" ] || [ "$application" = None ]; then
  echo "$stack in $region releases without CodeDeploy (no traffic shifting on this stage)"
  exit 0
fi
deployment=$(aws deploy list-deployments --region "$region" --application-name "$application" \
  --deployment-group-name "$group" --query 'deployments[0]' --output text)
if [ -z "$deployment" ] || [ "$deployment" = None ]; then
  echo "no CodeDeploy release of $stack in $region yet"
  exit 0
fi
# shellcheck disable=SC2016  # the backticks are JMESPath literals, not shell
read -r status rollback message < <(aws deploy get-deployment --region "$region" \
  --deployment-id "$deployment" --output text \
  --query 'deploymentInfo.[status, rollbackInfo.rollbackDeploymentId || `-`, errorInformation.message || `-`]')
case "$status" in
  Succeeded) echo "release $deployment in $region: Succeeded" ;;
  Stopped|Failed)
    echo "release $deployment in $region: $status; CodeDeploy rolled the alias back (rollback $rollback): $message" >&2
    exit 1 ;;
  *) echo "release $deployment in $region: $status" >&2; exit 1 ;;
esac
