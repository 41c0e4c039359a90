#!/usr/bin/env bash
# Installs every tool the gate, the local run and the deploy need, at pinned versions, into
# folders of this checkout (.tools/, node_modules/). Safe to re-run: it skips what is there.
#   scripts/tools.sh [rust] [python] [node] [template]   (default: rust python node)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LLVM_COV_VERSION=0.9.1
CARGO_NEXTEST_VERSION=0.9.143
# cargo-generate 0.26 needs a newer rustc than the project's; it gets its own toolchain.
CARGO_GENERATE_VERSION=0.26.0
CARGO_GENERATE_RUST=1.97.1
TOOLS="$PWD/.tools"

step() { printf '\n== %s\n' "$*" >&2; }

# Prints the version a cargo subcommand reports, or nothing when it is missing.
cargo_tool_version() { cargo "$1" --version 2>/dev/null | awk '{print $2; exit}' || true; }

rust_tools() {
  step "Rust toolchain and components (rust-toolchain.toml)"
  rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
  rustup component add clippy rustfmt llvm-tools >/dev/null
  rustup target add aarch64-unknown-linux-gnu >/dev/null

  export PATH="$TOOLS/cargo/bin:$PATH"
  if [ "$(cargo_tool_version llvm-cov)" != "$CARGO_LLVM_COV_VERSION" ]; then
    step "cargo-llvm-cov $CARGO_LLVM_COV_VERSION"
    cargo install --locked --quiet --root "$TOOLS/cargo" "cargo-llvm-cov@$CARGO_LLVM_COV_VERSION"
  fi
  if [ "$(cargo_tool_version nextest)" != "$CARGO_NEXTEST_VERSION" ]; then
    step "cargo-nextest $CARGO_NEXTEST_VERSION"
    cargo install --locked --quiet --root "$TOOLS/cargo" "cargo-nextest@$CARGO_NEXTEST_VERSION"
  fi
}

template_tools() {
  export PATH="$TOOLS/cargo/bin:$PATH"
  local installed
  installed=$(cargo generate --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' || true)
  if [ "$installed" != "$CARGO_GENERATE_VERSION" ]; then
    step "cargo-generate $CARGO_GENERATE_VERSION (built with Rust $CARGO_GENERATE_RUST)"
    rustup toolchain install "$CARGO_GENERATE_RUST" --profile minimal
    cargo "+$CARGO_GENERATE_RUST" install --locked --quiet --root "$TOOLS/cargo" \
      "cargo-generate@$CARGO_GENERATE_VERSION"
  fi
}

python_tools() {
  local stamp="$TOOLS/venv/.requirements"
  if ! cmp -s tools/requirements.txt "$stamp" 2>/dev/null; then
    step "Python tools (tools/requirements.txt)"
    python3 -m venv "$TOOLS/venv"
    "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check -r tools/requirements.txt
    cp tools/requirements.txt "$stamp"
  fi
}

node_tools() {
  local version
  version=$(node --version 2>/dev/null || echo none)
  # osls 4 needs Node >= 20.19.
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null \
    || { echo "Node >= 20.19 is needed for the Serverless CLI; found $version" >&2; exit 1; }
  if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
    step "Node tools (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock
  fi
}

[ $# -gt 0 ] || set -- rust python node
for kind in "$@"; do
  case "$kind" in
    rust) rust_tools ;;
    python) python_tools ;;
    node) node_tools ;;
    template) template_tools ;;
    *) echo "usage: $0 [rust] [python] [node] [template]" >&2; exit 2 ;;
  esac
done
