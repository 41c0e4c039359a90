#!/usr/bin/env bash
# Publishes one release to the release bucket of every region: the zip, and each stage's
# package with its manifest, under releases/<commit>/. Every stage's manifest must name the same
# zip (the same codeSha256) and the same commit, or nothing is published. S3 computes each
# object's SHA-256 as it arrives; the zip's must equal the manifest's, in every region.
#
#   scripts/publish.sh [--stages "qa prod"]      (default: the qa and production stages)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

stages="$(project_value stages.qa) $(project_value stages.production)"
while [ $# -gt 0 ]; do
  case "$1" in
    --stages) stages=$2; shift 2 ;;
    *) die "unknown argument: $1 (usage: $0 [--stages \"qa prod\"])" ;;
  esac
done

say "Checking that every package is made from the one zip"
[ -f "$FUNCTION_ZIP" ] || die "$FUNCTION_ZIP is missing: run \`make packages\` first"
zip_sha=$(openssl dgst -sha256 -binary "$FUNCTION_ZIP" | base64)
commit=""
for stage in $stages; do
  [ -f "dist/$stage/manifest.json" ] || die "no package for stage $stage: run \`make packages\` first"
  [ "$(manifest_value "dist/$stage" codeSha256)" = "$zip_sha" ] || die "dist/$stage was not made from $FUNCTION_ZIP"
  stage_commit=$(manifest_value "dist/$stage" gitCommit)
  [ -z "$commit" ] || [ "$commit" = "$stage_commit" ] || die "the packages name two commits: $commit and $stage_commit"
  commit=$stage_commit
done
[ "$commit" != unknown ] || die "the packages name no commit: package from a git checkout"

# Every bucket is found before anything is uploaded, so a missing one changes nothing.
regions=$(project_value regions)
declare -A buckets
for region in $regions; do
  buckets[$region]=$(release_bucket "$region")
done

put() { # REGION KEY FILE: uploads with S3's own SHA-256 and prints what S3 computed
  aws s3api put-object --region "$1" --bucket "${buckets[$1]}" --key "$2" --body "$3" \
    --checksum-algorithm SHA256 --query ChecksumSHA256 --output text
}

for region in $regions; do
  prefix="$RELEASES/$commit"
  say "Publishing release $commit to s3://${buckets[$region]}/$prefix/ ($region)"
  stored=$(put "$region" "$prefix/$FUNCTION_ZIP" "$FUNCTION_ZIP")
  [ "$stored" = "$zip_sha" ] || die "$region: S3 stored the zip as SHA-256 $stored, not $zip_sha"
  for stage in $stages; do
    for file in "dist/$stage"/*; do
      put "$region" "$prefix/$file" "$file" > /dev/null
    done
  done
  echo "$region: $prefix/$FUNCTION_ZIP SHA-256 $stored = manifest; packages: $stages"
done
