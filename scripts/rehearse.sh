#!/usr/bin/env bash
# Rehearses the release offline: one package, deployed with the same deploy script CI uses to
# both regions of a local moto server, then checked in each region.
#
# moto cannot create AWS::Lambda::Alias or HTTP APIs through CloudFormation, so the rehearsal
# uses the stage project.yml names `rehearsal`, which leaves traffic shifting out, and the
# smoke test asks the same function served locally by cargo-lambda, through
# scripts/apigw_front.py, which routes and answers CORS as the package's HTTP API would. The
# production template (alias, CodeDeploy, alarms, HTTP API) is checked as a template by
# infra/tests instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

stage=$(project_value stages.rehearsal)
moto_port=${REHEARSAL_MOTO_PORT:-5055}
function_port=${REHEARSAL_FUNCTION_PORT:-9055}
front_port=${REHEARSAL_FRONT_PORT:-9056}
logs=$(mktemp -d)

# Fresh, fake and local: nothing here may reach a real AWS account.
export AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port"
export AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal AWS_SESSION_TOKEN=rehearsal
unset AWS_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE

pids=()
stop_services() {
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_services EXIT

wait_for() { # NAME URL LOG
  for _ in $(seq 1 300); do
    curl --silent --max-time 1 --output /dev/null "$2" && return 0
    sleep 0.5
  done
  cat "$3" >&2
  die "$1 did not start at $2"
}

say "Starting moto on 127.0.0.1:$moto_port and the function on 127.0.0.1:$function_port"
setsid moto_server -H 127.0.0.1 -p "$moto_port" > "$logs/moto.log" 2>&1 &
pids+=($!)
setsid cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$function_port" \
  > "$logs/function.log" 2>&1 &
pids+=($!)

scripts/package.sh --stage "$stage"
say "Starting the HTTP API stand-in on 127.0.0.1:$front_port, in front of the function"
setsid python3 scripts/apigw_front.py --template "dist/$stage/cloudformation-template-update-stack.json" \
  --backend "http://127.0.0.1:$function_port" --port "$front_port" > "$logs/front.log" 2>&1 &
pids+=($!)
wait_for moto "$AWS_ENDPOINT_URL/moto-api/" "$logs/moto.log"
wait_for "the local function" "http://127.0.0.1:$function_port/" "$logs/function.log"
wait_for "the HTTP API stand-in" "http://127.0.0.1:$front_port/" "$logs/front.log"

# In parallel, as CircleCI's deploy matrix does; each region's output is prefixed with its name.
regions=$(project_value regions)
deploys=()
for region in $regions; do
  scripts/deploy.sh --region "$region" --stage "$stage" --endpoint "http://127.0.0.1:$front_port" \
    > >(sed "s/^/[$region] /") 2>&1 &
  deploys+=($!)
done
for deploy in "${deploys[@]}"; do
  wait "$deploy" || die "a regional deploy failed (see its lines above)"
done

say "Every region runs the one package"
expected=$(manifest_value "dist/$stage" codeSha256)
for region in $regions; do
  function_name=$(stack_resource "$region" "$(project_value service)-$stage" "ResourceType=='AWS::Lambda::Function'")
  deployed=$(aws lambda get-function --region "$region" --function-name "$function_name" \
    --query Configuration.CodeSha256 --output text)
  [ "$deployed" = "$expected" ] || die "$region runs $deployed, the manifest says $expected"
  printf '%-10s CodeSha256 %s = manifest\n' "$region" "$deployed"
done
