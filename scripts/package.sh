#!/usr/bin/env bash
# Builds the function once and packages it once. Every region is then deployed from this one
# package (scripts/deploy.sh), so the same bytes run everywhere.
#
#   scripts/package.sh [--stage STAGE] [--release canary|blue-green] [--reuse-zip] [--commit ID]
#
# Writes dist/<stage>/ (the Serverless package), dist/<stage>/manifest.json (the zip's hashes
# and the release's commit) and leaves the zip where serverless.yml expects it. --reuse-zip
# packages the zip that is already there instead of building one, so every stage of a release
# is made from the same bytes. --commit names the release (default: the checkout's HEAD).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

stage=$(project_value stages.production)
release=""
reuse_zip=false
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
while [ $# -gt 0 ]; do
  case "$1" in
    --stage) stage=$2; shift 2 ;;
    --release) release=$2; shift 2 ;;
    --reuse-zip) reuse_zip=true; shift ;;
    --commit) commit=$2; shift 2 ;;
    *) die "unknown argument: $1 (usage: $0 [--stage STAGE] [--release canary|blue-green] [--reuse-zip] [--commit ID])" ;;
  esac
done
[[ "$commit" =~ ^[A-Za-z0-9._-]+$ ]] || die "--commit must be a commit id or a plain name, not '$commit'"

# The stage's own default (canary in production) unless a release strategy is forced.
params=()
case "$release" in
  "") ;;
  canary) params+=(--param "trafficShift=Canary10Percent5Minutes") ;;
  blue-green) params+=(--param "trafficShift=AllAtOnce") ;;
  *) die "--release must be canary or blue-green, not '$release'" ;;
esac

if $reuse_zip; then
  [ -f "$FUNCTION_ZIP" ] || die "--reuse-zip: there is no $FUNCTION_ZIP to reuse"
  say "Packaging the zip already built: $FUNCTION_ZIP"
else
  say "Building $FUNCTION_BINARY for arm64 (cargo-lambda)"
  cargo lambda build --release --arm64 --output-format zip --bin "$FUNCTION_BINARY"
  [ -f "$FUNCTION_ZIP" ] || die "cargo-lambda did not write $FUNCTION_ZIP"
fi

size=$(stat -c %s "$FUNCTION_ZIP")
printf 'zip size: %s bytes (budget %s bytes)\n' "$size" "$ZIP_BUDGET_BYTES"
[ "$size" -le "$ZIP_BUDGET_BYTES" ] || die "$FUNCTION_ZIP is over its size budget"

package_dir="dist/$stage"
say "Packaging stage $stage once into $package_dir"
rm -rf "$package_dir"
sls package --stage "$stage" --region "$(project_value regions.0)" --package "$package_dir" "${params[@]}"

sha256_hex=$(sha256sum "$FUNCTION_ZIP" | cut -d' ' -f1)
code_sha256=$(openssl dgst -sha256 -binary "$FUNCTION_ZIP" | base64)
cat > "$package_dir/manifest.json" <<JSON
{
  "service": "$(project_value service)",
  "stage": "$stage",
  "artifact": "$FUNCTION_ZIP",
  "bytes": $size,
  "sha256": "$sha256_hex",
  "codeSha256": "$code_sha256",
  "gitCommit": "$commit"
}
JSON
say "Wrote $package_dir/manifest.json"
cat "$package_dir/manifest.json"
