#!/usr/bin/env bash
# CircleCI only: lets every later step's AWS SDK (boto3 in ops/, the Serverless CLI) assume
# $AWS_ROLE_ARN with this job's OIDC token. The SDKs exchange and refresh it themselves, so no
# key is ever written down. AWS_ROLE_ARN comes from the CircleCI context.
set -euo pipefail
: "${CIRCLE_OIDC_TOKEN_V2:?this job has no OIDC token: is it running with the deploy context?}"
: "${AWS_ROLE_ARN:?set AWS_ROLE_ARN in the CircleCI context (docs/deploy.md, "Setting up CircleCI")}"
: "${BASH_ENV:?BASH_ENV is set by CircleCI}"

token_file="$HOME/.aws-oidc-token"
printf '%s' "$CIRCLE_OIDC_TOKEN_V2" > "$token_file"
chmod 600 "$token_file"
{
  echo "export AWS_WEB_IDENTITY_TOKEN_FILE=$token_file"
  echo "export AWS_ROLE_ARN=$AWS_ROLE_ARN"
  echo "export AWS_ROLE_SESSION_NAME=circleci-${CIRCLE_PROJECT_REPONAME:-deploy}-${CIRCLE_BUILD_NUM:-0}"
} >> "$BASH_ENV"
echo "AWS SDKs will assume $AWS_ROLE_ARN with the job's OIDC token"
