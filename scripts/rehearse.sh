#!/usr/bin/env bash
# Rehearses the whole delivery chain offline, against moto in both regions, with the scripts CI
# uses: package once, publish to each region's release bucket, deploy to qa in both regions,
# accept it, deploy to production in both regions; then redeploy an earlier release, and show
# that a release whose bytes were changed in one regional bucket is refused with nothing
# deployed. Hashes are checked at every step.
#
# moto cannot create the live alias (the API's Lambda permission names it) or HTTP APIs, so the
# rehearsal deploys the stages project.yml names under stages.rehearsal, which leave traffic
# shifting out, and the smoke and acceptance tests reach the same function, served locally by
# cargo-lambda, through scripts/apigw_front.py, which routes and answers CORS as the package's
# HTTP API would. The real qa and prod templates are checked as templates by infra/tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

qa=$(project_value stages.rehearsal.qa)
production=$(project_value stages.rehearsal.production)
service=$(project_value service)
regions=$(project_value regions)
moto_port=${REHEARSAL_MOTO_PORT:-5055}
function_port=${REHEARSAL_FUNCTION_PORT:-9055}
front_port=${REHEARSAL_FRONT_PORT:-9056}
front="http://127.0.0.1:$front_port"
logs=$(mktemp -d)
# Release ids of their own, so the rehearsal needs no commit and never collides with one.
current=rehearsal-current
earlier=rehearsal-earlier

# Fresh, fake and local: nothing here may reach a real AWS account.
export AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port"
export AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal AWS_SESSION_TOKEN=rehearsal
unset AWS_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE

pids=()
keep=$(mktemp -d)
finish() {
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # Deploying a release fetches its zip into the checkout; leave the one this checkout built.
  [ ! -f "$keep/bootstrap.zip" ] || cp "$keep/bootstrap.zip" "$FUNCTION_ZIP"
}
trap finish EXIT

wait_for() { # NAME URL LOG
  for _ in $(seq 1 300); do
    curl --silent --max-time 1 --output /dev/null "$2" && return 0
    sleep 0.5
  done
  cat "$3" >&2
  die "$1 did not start at $2"
}

# live_code_sha256 REGION STAGE: what the stage's function runs in that region.
live_code_sha256() {
  local function_name
  function_name=$(stack_resource "$1" "$service-$2" "ResourceType=='AWS::Lambda::Function'")
  aws lambda get-function --region "$1" --function-name "$function_name" \
    --query Configuration.CodeSha256 --output text
}

# expect_everywhere STAGE CODE_SHA256 WHAT: fails unless every region runs that code.
expect_everywhere() {
  for region in $regions; do
    local running
    running=$(live_code_sha256 "$region" "$1")
    [ "$running" = "$2" ] || die "$region runs $running as $1, not $3 ($2)"
    printf '%-14s %s runs %s (%s)\n' "$region" "$1" "$3" "$running"
  done
}

# The rehearsal's stacks have no live alias (moto's CloudFormation skips it), so
# scripts/rehearsal_lambda.py does through Lambda's API what CodeDeploy does, and deploys a
# hotfix to one region only.
point_live_at_newest() {
  for region in $regions; do python3 scripts/rehearsal_lambda.py live-at-newest --region "$region" --stage "$1"; done
}
deploy_code_to_one_region() { # REGION STAGE RELEASE
  # shellcheck disable=SC2086  # one argument per region
  python3 scripts/rehearsal_lambda.py deploy-to-one-region --region "$1" --stage "$2" --release "$3" --regions $regions
}
# expect_live_everywhere STAGE CODE_SHA256 WHAT: fails unless live serves that code in every region.
expect_live_everywhere() {
  for region in $regions; do
    local serving
    serving=$(python3 scripts/rehearsal_lambda.py live-code --region "$region" --stage "$1")
    [ "$serving" = "$2" ] || die "$region: live serves $serving as $1, not $3 ($2)"
    printf '%-14s %s live serves %s (%s)\n' "$region" "$1" "$3" "$serving"
  done
}

say "Starting moto on 127.0.0.1:$moto_port and the function on 127.0.0.1:$function_port"
setsid moto_server -H 127.0.0.1 -p "$moto_port" > "$logs/moto.log" 2>&1 &
pids+=($!)
setsid cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$function_port" \
  > "$logs/function.log" 2>&1 &
pids+=($!)

say "Package once: $qa and $production from one zip"
scripts/package.sh --stage "$qa" --commit "$current"
scripts/package.sh --stage "$production" --reuse-zip --commit "$current"
current_sha=$(manifest_value "dist/$qa" codeSha256)
[ "$(manifest_value "dist/$production" codeSha256)" = "$current_sha" ] || die "the two packages hold different zips"

say "Starting the HTTP API stand-in on $front, in front of the function"
setsid python3 scripts/apigw_front.py --template "dist/$qa/cloudformation-template-update-stack.json" \
  --backend "http://127.0.0.1:$function_port" --port "$front_port" > "$logs/front.log" 2>&1 &
pids+=($!)
wait_for moto "$AWS_ENDPOINT_URL/moto-api/" "$logs/moto.log"
wait_for "the local function" "http://127.0.0.1:$function_port/" "$logs/function.log"
wait_for "the HTTP API stand-in" "$front/" "$logs/front.log"

say "The function alone, asked every route of the production package: each reaches its handler, and what no route takes is refused with JSON"
python3 scripts/smoke-test.py "http://127.0.0.1:$function_port" --package "dist/$production" --function-alone

say "The release buckets, one per region (infra/artifact-buckets.yml)"
for region in $regions; do
  aws cloudformation create-stack --region "$region" --stack-name "$service-artifacts" \
    --template-body file://infra/artifact-buckets.yml --parameters "ParameterKey=ServiceName,ParameterValue=$service" \
    > /dev/null
  aws cloudformation wait stack-create-complete --region "$region" --stack-name "$service-artifacts"
  echo "$region: $(release_bucket "$region")"
done

say "An earlier release: the same binary zipped again, so that it has a codeSha256 of its own"
cp -r "dist/$qa" "dist/$production" "$FUNCTION_ZIP" "$keep/"
python3 - "$FUNCTION_ZIP" <<'PY'
import sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as old:
    entries = [(info, old.read(info)) for info in old.infolist()]
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
    new.comment = b"rehearsal: an earlier release"
    for info, data in entries:
        new.writestr(info, data)
PY
scripts/package.sh --stage "$qa" --reuse-zip --commit "$earlier" > "$logs/earlier.log" 2>&1
scripts/package.sh --stage "$production" --reuse-zip --commit "$earlier" >> "$logs/earlier.log" 2>&1
earlier_sha=$(manifest_value "dist/$production" codeSha256)
[ "$earlier_sha" != "$current_sha" ] || die "the earlier release has the same bytes as the current one"
scripts/publish.sh --stages "$qa $production"
rm -rf "dist/$qa" "dist/$production"
cp -r "$keep/$qa" "$keep/$production" dist/
cp "$keep/bootstrap.zip" "$FUNCTION_ZIP"

say "Publish the current release"
scripts/publish.sh --stages "$qa $production"

say "qa, in every region, from each region's own bucket"
scripts/deploy-release.sh --commit "$current" --stage "$qa" --endpoint "$front"
expect_everywhere "$qa" "$current_sha" "the current release"

say "Acceptance of qa"
ACCEPTANCE_URL="$front" python3 -m pytest -q -p no:cacheprovider acceptance

say "Production, in every region"
scripts/deploy-release.sh --commit "$current" --stage "$production" --endpoint "$front"
expect_everywhere "$production" "$current_sha" "the current release"
point_live_at_newest "$production"

last_region=${regions##* }
say "A hotfix that reached $last_region only: its version numbers now run ahead of the other regions'"
deploy_code_to_one_region "$last_region" "$production" rehearsal-hotfix

say "Redeploy the earlier release to production"
scripts/deploy-release.sh --commit "$earlier" --stage "$production" --endpoint "$front"
expect_everywhere "$production" "$earlier_sha" "the earlier release"
point_live_at_newest "$production"

say "Roll back by release, to the current release and back to the earlier one, under each region's own numbers"
python3 scripts/rollback.py --stage "$production" --release "$current"
expect_live_everywhere "$production" "$current_sha" "the current release"
python3 scripts/rollback.py --stage "$production" --release "$earlier" | tee "$logs/rollback.log"
expect_live_everywhere "$production" "$earlier_sha" "the earlier release"
targets=$(sed -n 's/.* -> \([0-9]*\) (code.*/\1/p' "$logs/rollback.log" | sort -u | wc -l)
[ "$targets" -gt 1 ] || die "the regions' version numbers did not differ: the rollback proved nothing about drift"

say "A release whose code one region never ran (the hotfix) is refused, and no region changes"
if python3 scripts/rollback.py --stage "$production" --release rehearsal-hotfix > "$logs/unheld.log" 2>&1; then
  cat "$logs/unheld.log" >&2
  die "a release one region lacks was rolled back to"
fi
first_region=${regions%% *}
grep -q "rollback refused, nothing changed: $first_region: no version" "$logs/unheld.log" \
  || { cat "$logs/unheld.log" >&2; die "the refusal does not name $first_region"; }
grep "^rollback refused" "$logs/unheld.log"
expect_live_everywhere "$production" "$earlier_sha" "the earlier release, untouched"

say "A release changed in one regional bucket ($last_region) is refused, and nothing is deployed"
bucket=$(release_bucket "$last_region")
printf 'not the tested bytes' > "$logs/tampered.zip"
aws s3api put-object --region "$last_region" --bucket "$bucket" --key "$RELEASES/$current/$FUNCTION_ZIP" \
  --body "$logs/tampered.zip" --checksum-algorithm SHA256 > /dev/null
if scripts/deploy-release.sh --commit "$current" --stage "$production" --endpoint "$front" > "$logs/tamper.log" 2>&1; then
  cat "$logs/tamper.log" >&2
  die "a tampered release was deployed"
fi
grep -q "refused: $last_region: S3 holds the zip as SHA-256" "$logs/tamper.log" \
  || { cat "$logs/tamper.log" >&2; die "the refusal does not name $last_region"; }
grep "^refused:" "$logs/tamper.log"
expect_everywhere "$production" "$earlier_sha" "the earlier release, untouched"
say "Rehearsed: package once, publish, qa, acceptance, production, redeploy, tamper refusal"
