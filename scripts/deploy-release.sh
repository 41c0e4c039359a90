#!/usr/bin/env bash
# Deploys a published release from each region's own release bucket: the bytes CI tested, or
# any earlier release still kept there. It plans first: in every region it deploys to, the
# release's manifest must be there for this stage and commit, and S3's SHA-256 of the zip must
# equal the manifest's codeSha256; otherwise it refuses, naming the region, and deploys nothing
# anywhere. Then, region by region, it fetches the package, checks the fetched bytes against
# the manifest again, and deploys them with scripts/deploy.sh (hash checks, smoke test).
#
#   scripts/deploy-release.sh --commit COMMIT [--stage STAGE] [--region REGION] [--endpoint URL]
#
# STAGE defaults to project.yml's production stage.
#
# Without --region, every region of project.yml, one after the other: they share this
# checkout's dist/ and zip path. --endpoint is passed to deploy.sh (the offline rehearsal).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

commit="" stage=$(project_value stages.production) regions="" endpoint=()
while [ $# -gt 0 ]; do
  case "$1" in
    --commit) commit=$2; shift 2 ;;
    --stage) stage=$2; shift 2 ;;
    --region) regions=$2; shift 2 ;;
    --endpoint) endpoint=(--endpoint "$2"); shift 2 ;;
    *) die "unknown argument: $1 (usage: $0 --commit COMMIT --stage STAGE [--region REGION])" ;;
  esac
done
[ -n "$commit" ] || die "usage: $0 --commit COMMIT [--stage STAGE] [--region REGION]"
[[ "$commit" =~ ^[A-Za-z0-9._-]+$ ]] || die "--commit must be a commit id, not '$commit'"
known=" $(project_value regions) "
[ -n "$regions" ] || regions=$(project_value regions)
for region in $regions; do
  [[ "$known" == *" $region "* ]] || die "$region is not a region of project.yml (${known# })"
done

prefix="$RELEASES/$commit"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

say "Plan: release $commit, stage $stage, in $regions"
declare -A buckets expected
refusals=()
for region in $regions; do
  buckets[$region]=$(release_bucket "$region")
  manifest="$work/$region.json"
  if ! aws s3api get-object --region "$region" --bucket "${buckets[$region]}" \
      --key "$prefix/dist/$stage/manifest.json" "$manifest" > /dev/null 2>&1; then
    refusals+=("$region: no release $commit for stage $stage in s3://${buckets[$region]}/$prefix/")
    continue
  fi
  expected[$region]=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["codeSha256"])' "$manifest")
  stored=$(aws s3api head-object --region "$region" --bucket "${buckets[$region]}" \
    --key "$prefix/$FUNCTION_ZIP" --checksum-mode ENABLED --query ChecksumSHA256 --output text 2>/dev/null) \
    || stored="(no zip)"
  if [ "$stored" != "${expected[$region]}" ]; then
    refusals+=("$region: S3 holds the zip as SHA-256 $stored, the manifest says ${expected[$region]}")
  else
    echo "$region: s3://${buckets[$region]}/$prefix/ zip SHA-256 $stored = manifest"
  fi
done
if [ ${#refusals[@]} -gt 0 ]; then
  printf 'refused: %s\n' "${refusals[@]}" >&2
  die "release $commit was not deployed anywhere"
fi

for region in $regions; do
  say "Fetching release $commit for $stage from s3://${buckets[$region]}/$prefix/ ($region)"
  rm -rf "dist/$stage"
  mkdir -p "dist/$stage" "$(dirname "$FUNCTION_ZIP")"
  for key in $(aws s3api list-objects-v2 --region "$region" --bucket "${buckets[$region]}" \
      --prefix "$prefix/dist/$stage/" --query 'Contents[].Key' --output text); do
    aws s3api get-object --region "$region" --bucket "${buckets[$region]}" --key "$key" \
      "${key#"$prefix/"}" > /dev/null
  done
  aws s3api get-object --region "$region" --bucket "${buckets[$region]}" \
    --key "$prefix/$FUNCTION_ZIP" "$FUNCTION_ZIP" > /dev/null
  fetched=$(openssl dgst -sha256 -binary "$FUNCTION_ZIP" | base64)
  [ "$fetched" = "${expected[$region]}" ] \
    || die "$region: the fetched zip is SHA-256 $fetched, the manifest says ${expected[$region]}; not deployed"
  [ "$(manifest_value "dist/$stage" codeSha256)" = "${expected[$region]}" ] \
    || die "$region: the package's manifest changed since the plan; not deployed"
  scripts/deploy.sh --region "$region" --stage "$stage" "${endpoint[@]}"
done
say "Release $commit runs as $stage in $regions"
