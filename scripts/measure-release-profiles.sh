#!/usr/bin/env bash
# Measures the release-profile choices that docs/performance.md compares: for each,
# the arm64 zip's size and, on this machine, the cold start and per-request cost (the budgets
# bench). Each variant builds in its own target folder, so this takes a while.
#   scripts/measure-release-profiles.sh
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(python3 -m ops value binary)

# name  opt-level  lto  codegen-units  panic  (all strip symbols)
# The first is what cargo-lambda builds when Cargo.toml sets no release profile.
variants=(
  "cargo-lambda-default 3 thin 1 abort"
  "o3-fat-unwind        3 fat  1 unwind"
  "os-fat-unwind        s fat  1 unwind"
  "oz-fat-unwind        z fat  1 unwind"
  "os-fat-abort         s fat  1 abort"
)

printf '| profile | opt-level | lto | codegen-units | panic | arm64 zip | cold start (median) | handler, apigw-http |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for variant in "${variants[@]}"; do
  read -r name opt lto units panic <<< "$variant"
  export CARGO_TARGET_DIR="$PWD/target/profiles/$name"
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt CARGO_PROFILE_RELEASE_LTO=$lto \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=$units CARGO_PROFILE_RELEASE_STRIP=symbols \
    CARGO_PROFILE_RELEASE_PANIC=$panic
  cargo lambda build --release --arm64 --output-format zip --bin "$binary" >&2
  zip="$CARGO_TARGET_DIR/lambda/$binary/bootstrap.zip"
  # The budgets bench weighs the function against its build without the table, under the same
  # profile (bench inherits release, and these variables with it), as `make budgets` does.
  cargo build --profile bench -p hello-world-handler --no-default-features --bin "$binary" >&2
  cp "$CARGO_TARGET_DIR/release/$binary" "$CARGO_TARGET_DIR/stateless-$binary"
  report=$(FUNCTION_ZIP="$zip" STATELESS_FUNCTION="$CARGO_TARGET_DIR/stateless-$binary" \
    cargo bench -p hello-world-handler --bench budgets 2>/dev/null || true)
  figure() { grep "$1" <<< "$report" | head -1 | awk '{print $(NF-4), $(NF-3)}'; }
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$opt" "$lto" "$units" "$panic" \
    "$(figure 'zip size')" "$(figure 'cold start')" "$(figure 'handler per request')"
done
