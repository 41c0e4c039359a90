#!/usr/bin/env bash
# Installs every tool the gate, the local run and the deploy need, at pinned versions, into
# folders of this checkout (.tools/, node_modules/). Safe to re-run: it skips what is there.
#   scripts/tools.sh [rust] [cargo-tools] [python] [node] [template]
#   (default: rust cargo-tools python node, what `make test` installs; `make run` needs rust and
#   python, for cargo-lambda)
set -euo pipefail
cd "$(dirname "$0")/.."

# rustup installs rust-toolchain.toml's channel; it is installed only where it is missing
# (the CircleCI image has none).
RUSTUP_VERSION=1.28.2
# The Python the venv is made from: tests use tomllib (3.11).
PYTHON_MINIMUM=3.11
CARGO_LLVM_COV_VERSION=0.9.1
CARGO_NEXTEST_VERSION=0.9.143
# cargo-generate 0.26 needs a newer rustc than the project's; it gets its own toolchain.
CARGO_GENERATE_VERSION=0.26.0
CARGO_GENERATE_RUST=1.97.1
TOOLS="$PWD/.tools"
# Cargo tools built from source are built once per version and user, here, and linked into
# .tools/: every clone of the project (CI's among them) then skips minutes of compiling.
CARGO_TOOL_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/rust-serverless-template/cargo-tools"

step() { printf '\n== %s\n' "$*" >&2; }

# Prints the version a cargo subcommand reports, or nothing when it is missing.
cargo_tool_version() { cargo "$1" --version 2>/dev/null | awk '{print $2; exit}' || true; }

install_rustup() {
  step "rustup $RUSTUP_VERSION"
  local target installer
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64 | Linux-aarch64) target="$(uname -m)-unknown-linux-gnu" ;;
    Darwin-arm64) target=aarch64-apple-darwin ;;
    Darwin-x86_64) target=x86_64-apple-darwin ;;
    *) echo "no rustup for $(uname -s) $(uname -m) here: install it from https://rustup.rs" >&2; exit 1 ;;
  esac
  # rustup-init tells what to do by its own file name: under any other name it is a proxy.
  installer="$(mktemp -d)/rustup-init"
  curl --proto '=https' --tlsv1.2 --fail --silent --show-error --location --output "$installer" \
    "https://static.rust-lang.org/rustup/archive/$RUSTUP_VERSION/$target/rustup-init"
  chmod +x "$installer"
  "$installer" -y --no-modify-path --profile minimal --default-toolchain none
  rm -rf "$(dirname "$installer")"
}

rust_tools() {
  export PATH="$HOME/.cargo/bin:$PATH"
  command -v rustup >/dev/null || install_rustup
  step "Rust toolchain and components (rust-toolchain.toml)"
  rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
  rustup component add clippy rustfmt llvm-tools >/dev/null
  rustup target add aarch64-unknown-linux-gnu >/dev/null
}

# cached_cargo_install CRATE VERSION [cargo install arguments...]: CRATE@VERSION's binary in
# .tools/cargo/bin, built into the per-user cache unless it is there already.
cached_cargo_install() {
  local crate=$1 version=$2 root
  shift 2
  root="$CARGO_TOOL_CACHE/$crate-$version"
  if [ ! -x "$root/bin/$crate" ]; then
    step "$crate $version"
    cargo install --locked --quiet --root "$root" "$@" "$crate@$version"
  fi
  mkdir -p "$TOOLS/cargo/bin"
  ln -sf "$root/bin/$crate" "$TOOLS/cargo/bin/$crate"
}

# The test runner and the coverage tool of the gate.
cargo_tools() {
  export PATH="$HOME/.cargo/bin:$TOOLS/cargo/bin:$PATH"
  [ "$(cargo_tool_version llvm-cov)" = "$CARGO_LLVM_COV_VERSION" ] \
    || cached_cargo_install cargo-llvm-cov "$CARGO_LLVM_COV_VERSION"
  [ "$(cargo_tool_version nextest)" = "$CARGO_NEXTEST_VERSION" ] \
    || cached_cargo_install cargo-nextest "$CARGO_NEXTEST_VERSION"
}

template_tools() {
  export PATH="$TOOLS/cargo/bin:$PATH"
  local installed
  installed=$(cargo generate --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' || true)
  if [ "$installed" != "$CARGO_GENERATE_VERSION" ]; then
    rustup toolchain list | grep -q "^$CARGO_GENERATE_RUST" \
      || rustup toolchain install "$CARGO_GENERATE_RUST" --profile minimal
    # Built with Rust $CARGO_GENERATE_RUST, without its git support (the template test
    # generates from a path) and without its release profile's fat LTO: a build of about 2
    # minutes instead of 7, for a tool that renames files once per run.
    RUSTUP_TOOLCHAIN="$CARGO_GENERATE_RUST" cached_cargo_install cargo-generate "$CARGO_GENERATE_VERSION" \
      --no-default-features \
      --config profile.release.lto=false --config profile.release.codegen-units=16 \
      --config profile.release.opt-level=1
  fi
}

# lock_entry NAME LOCK: NAME's pin in LOCK, with its hashes (the lines up to the first that does
# not continue).
lock_entry() { awk -v pin="$1==" 'index($0, pin) == 1 {found = 1} found {print} found && !/\\$/ {exit}' "$2"; }

# python_venv NAME LOCK: a venv at .tools/NAME with exactly the lock's pins, every one checked
# against its hashes, made anew when the lock changes (`make lock` writes the locks). pip
# installs uv, the lock's own pin, and uv installs the rest: both venvs in about 27 s where pip
# took 77, as uv downloads and compiles in parallel. Compiled to bytecode at install, as pip
# does: where PYTHONDONTWRITEBYTECODE is set, nothing else would, and every run would compile
# every module it imports again.
python_venv() {
  local venv="$TOOLS/$1" stamp="$TOOLS/$1/.requirements"
  if ! cmp -s "$2" "$stamp" 2>/dev/null; then
    step "Python tools ($2)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    if [ ! -x "$TOOLS/venv/bin/uv" ]; then
      "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes --no-deps \
        -r <(lock_entry uv tools/requirements.txt)
    fi
    "$TOOLS/venv/bin/uv" pip install --quiet --compile-bytecode --python "$venv/bin/python" --require-hashes --no-deps -r "$2"
    cp "$2" "$stamp"
  fi
}

python_tools() {
  python3 -c "import sys, venv; sys.exit(sys.version_info < tuple(map(int, '$PYTHON_MINIMUM'.split('.'))))" 2>/dev/null \
    || { echo "Python >= $PYTHON_MINIMUM with venv is needed; found $(python3 --version 2>&1 || echo none)" >&2; exit 1; }
  python_venv venv tools/requirements.txt
  python_venv checkov tools/requirements-checkov.txt
}

# The Node that runs the Serverless CLI when the machine's own is older than package.json's
# engines.node (Node 20 left support on 2026-04-30; AWS SDK for JavaScript releases after early
# January 2027 need 22): the official binary, as the npm registry ships it per platform.
NODE_VERSION=22.23.5

# node_satisfies NODE MINIMUM: whether that node binary is at least MINIMUM (MAJOR.MINOR).
node_satisfies() {
  "$1" -e 'const [n, w] = [process.versions.node, process.argv[1]].map(v => v.split(".").map(Number));
           process.exit(n[0] > w[0] || (n[0] === w[0] && n[1] >= w[1]) ? 0 : 1)' "$2" 2>/dev/null
}

node_tools() {
  # package.json's engines.node (">=MAJOR.MINOR") is what the deploy needs; it is the one source.
  local needed platform
  needed=$(python3 -c 'import json; print(json.load(open("package.json"))["engines"]["node"].removeprefix(">="))')
  if ! node_satisfies "$(command -v node || echo node)" "$needed"; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) platform=linux-x64 ;;
      Linux-aarch64) platform=linux-arm64 ;;
      *) echo "Node >= $needed is needed for the Serverless CLI; found $(node --version 2>/dev/null || echo none). Install it (nodejs.org, or your package manager)." >&2; exit 1 ;;
    esac
    if ! node_satisfies "$TOOLS/node/node_modules/.bin/node" "$needed"; then
      step "Node $NODE_VERSION (node-$platform from the npm registry), as $(node --version 2>/dev/null || echo none) is older than $needed"
      npm install --prefix "$TOOLS/node" --no-save --no-audit --no-fund --loglevel=error "node-$platform@$NODE_VERSION"
    fi
    export PATH="$TOOLS/node/node_modules/.bin:$PATH"
  fi
  if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
    step "Node tools (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock
  fi
}

[ $# -gt 0 ] || set -- rust cargo-tools python node
for kind in "$@"; do
  case "$kind" in
    rust) rust_tools ;;
    cargo-tools) cargo_tools ;;
    python) python_tools ;;
    node) node_tools ;;
    template) template_tools ;;
    *) echo "usage: $0 [rust] [cargo-tools] [python] [node] [template]" >&2; exit 2 ;;
  esac
done
