#!/usr/bin/env bash
# Proves the template works as one: `cargo generate` makes a renamed copy in a temporary
# folder, no trace of the old name is left in it, and the copy passes the fast part of its
# own gate (build, tests, config consistency checks, `sls package` under its new name).
#   scripts/test-template.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
root=$PWD

name=acme-greeter
regions=(eu-west-1 eu-central-1)
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

say "cargo generate --path . --name $name (regions ${regions[*]})"
cargo generate --path "$root" --name "$name" --destination "$workdir" \
  --silent --allow-commands --vcs none \
  --define "first_region=${regions[0]}" --define "second_region=${regions[1]}"
copy="$workdir/$name"
cd "$copy"

say "No trace of the old name"
if grep -rnIiE 'hello[-_]?world' . ; then
  die "the generated copy still names the template (lines above)"
fi
[ ! -e cargo-generate.toml ] && [ ! -e template ] || die "the template machinery was copied"
grep -qx "service: $name" project.yml || die "project.yml does not name the service $name"
grep -q "region: \[${regions[0]}, ${regions[1]}\]" .circleci/config.yml || die "CircleCI deploys elsewhere"

# Reuse the template's installed tools and keep the copy's build output between runs.
ln -s "$root/.tools" .tools
ln -s "$root/node_modules" node_modules
mkdir -p "$root/target/generated-copy"
ln -s "$root/target/generated-copy" target

say "The copy builds and passes its tests"
INSTA_UPDATE=no cargo test --workspace --locked --quiet

say "The copy packages under its new name"
for stage in prod rehearsal; do
  scripts/package.sh --stage "$stage" > "$workdir/package.log" 2>&1 || { cat "$workdir/package.log"; exit 1; }
done
grep -q "\"service\": \"$name\"" dist/prod/manifest.json || die "the package is not $name"
grep -q "\"FunctionName\": \"$name-prod-hello\"" dist/prod/cloudformation-template-update-stack.json \
  || die "the function is not named $name-prod-hello"

say "The copy's configuration is consistent"
check-jsonschema --builtin-schema vendor.circle-ci .circleci/config.yml
python3 scripts/check-circleci-references.py .circleci/config.yml
python3 -m pytest -q -p no:cacheprovider infra/tests/test_consistency.py infra/tests/test_circleci.py \
  infra/tests/test_serverless_template.py infra/tests/test_deploy_role.py

say "$name: generated, renamed, built, tested and packaged"
