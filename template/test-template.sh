#!/usr/bin/env bash
# Proves the template works as a fork's first day does: `cargo generate` makes a renamed copy in
# a temporary folder, no trace of the old name is left in it, and the copy passes its own
# README test command, whole. Then it makes README's first edits (a new greeting, a renamed
# route, another memory size and timeout), adds a route by README's "Add a route", accepts the
# new snapshots as README says, deletes what README says a fork can do without (CircleCI, the
# canary, the greetings table), and runs the copy's whole gate again, whose rehearsal must
# smoke-test the new route, deploy no table, and deploy and reap previews of the renamed service.
#   template/test-template.sh     (make test-template)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

name=acme-greeter
regions=(eu-west-1 eu-central-1)
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

# What a fork's `cargo generate --git` starts from: the files git has (changes not yet committed
# included), not this checkout's build outputs and tools, which cargo-generate would otherwise
# walk before ignoring them (seconds of the gate).
template="$workdir/template"
mkdir "$template"
git ls-files -z --cached --others --exclude-standard \
  | tar --create --null --files-from=- --ignore-failed-read --file=- \
  | tar --extract --file=- --directory="$template"

say "cargo generate --path . --name $name (regions ${regions[*]})"
# cargo-generate fills its authors placeholder from $USER, which a CI shell may not set.
USER=${USER:-fork} cargo generate --path "$template" --name "$name" --destination "$workdir" \
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
[ "$(python3 -m ops value regions)" = "${regions[*]}" ] || die "project.yml deploys elsewhere"

# As README's walkthrough does; the package's manifest records the commit.
git init --quiet
git add -A
git -c user.name=fork -c user.email=fork@example.com commit --quiet -m "From the template"

# The template's pinned tools serve the copy too (the same files pin them). So does its target/:
# the copy's dependencies are the template's, at the same versions and features, so Cargo
# reuses every one it already built and compiles only the renamed crates. Its instrumented build
# for coverage too, once the template's own crates are cleaned out of it: cargo-llvm-cov
# reports on every test binary whose name matches a target of the workspace (`api`, `core`),
# and the template's would match. node_modules is the copy's own: its package-lock.json names
# the new service.
ln -s "$root/.tools" .tools
ln -s "$root/target" target
(cd "$root" && cargo llvm-cov clean --workspace)

test_command=$(scripts/readme-test-command.sh)
say "A fresh fork passes its README test command: $test_command"
bash -c "$test_command"

say "README's first edits: a new greeting, a renamed route, another memory size and timeout"
greeting="src/greeting.rs"
sed -i 's|"Go Serverless v1.0! Your function executed successfully!"|"Hello from acme-greeter!"|' "$name/$greeting"
sed -i 's|path: /hello$|path: /greet|; s|memorySize: 128$|memorySize: 256|; s|timeout: 5$|timeout: 10|' serverless.yml
sed -i 's|"ANY /hello"|"ANY /greet"|' handler/src/routes.rs
sed -i 's|/hello|/greet|g' testkit/fixtures/*.json
git diff --quiet -- "$name/$greeting" serverless.yml handler/src/routes.rs testkit/fixtures \
  && die "the edits changed nothing: README's example values moved"
grep -q '"ANY /greet"' handler/src/routes.rs || die "the router's key was not renamed: README's example moved"

say "README's \"Add a route\": GET /goodbye, with its own answer"
python3 - "$name" <<'PY'
import re
import sys
from pathlib import Path

readme = Path("README.md").read_text()
section = readme.split("## Add a route", 1)[1].split("\n## ", 1)[0]
rust_line, rust_handler, yaml_event = (
    "".join(line[3:] + "\n" for line in block.splitlines())
    for block in re.findall(r"```(?:rust|yaml)\n(.*?)   ```", section, re.DOTALL)
)


def insert_after(path: str, anchor: str, text: str) -> None:
    file = Path(path)
    content = file.read_text()
    if anchor not in content:
        sys.exit(f"{path} has no {anchor!r} to add the route after: README's steps moved")
    file.write_text(content.replace(anchor, anchor + text, 1))


insert_after("handler/src/routes.rs", "Box::pin(health(call))),\n", rust_line)
Path("handler/src/routes.rs").write_text(Path("handler/src/routes.rs").read_text() + "\n" + rust_handler)
insert_after("serverless.yml", "path: ${file(./project.yml):health_path}\n", yaml_event)
fixture = Path("testkit/fixtures/health.json").read_text().replace("/health", "/goodbye")
Path("testkit/fixtures/goodbye.json").write_text(fixture)
Path("handler/tests/api/responses.rs").write_text(
    Path("handler/tests/api/responses.rs").read_text()
    + '\n#[test]\nfn the_goodbye_route_says_goodbye() {\n'
    + '    assert_json_snapshot!("goodbye", respond_to_fixture("goodbye"));\n}\n'
)
PY
make snapshots
git add -A
git diff --cached --stat
grep -q '"GET /goodbye"' handler/tests/api/snapshots/*routes*.snap || die "the routes snapshot did not gain GET /goodbye"

say "README's \"What a fork can delete\": CircleCI, the canary and the greetings table, every file, key and line it lists"
python3 <<'PY'
import re
import shutil
import sys
from pathlib import Path

import yaml

readme = Path("README.md").read_text().split("## What a fork can delete", 1)[1].split("\n## ", 1)[0]


def bullet(title: str) -> list[str]:
    """The code spans of README's bullet for `title`."""
    found = readme.split(f"- **{title}**:", 1)
    if len(found) != 2:
        sys.exit(f"README lists nothing a fork deletes for {title}")
    return re.findall(r"`([^`]+)`", found[1].split("\n- ", 1)[0])


def delete_paths(names: list[str], title: str) -> list[str]:
    paths = list(dict.fromkeys(name for name in names if "/" in name and " " not in name and "=" not in name))
    for name in paths:
        path = Path(name)
        if not path.exists():
            sys.exit(f"README lists {name} for {title}, and there is no such file: README's list moved")
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return paths


circleci = bullet("CircleCI")
paths = delete_paths(circleci, "CircleCI")
project = yaml.safe_load(Path("project.yml").read_text())
keys = [name for name in circleci if re.fullmatch(r"[a-z_]+", name)]
for key in keys:
    if key not in project:
        sys.exit(f"README lists the project.yml key {key} for CircleCI, and there is none")
    del project[key]
Path("project.yml").write_text(yaml.safe_dump(project, sort_keys=False))
print(f"CircleCI: deleted {len(paths)} paths and the project.yml keys {', '.join(keys)}")

canary = bullet("The canary")
paths = delete_paths([name for name in canary if name.endswith((".yml", ".py"))], "the canary")
named = [name for name in canary if name in paths or name.startswith("serverless-plugin")]
lines = Path("serverless.yml").read_text().splitlines(keepends=True)
# A line goes when its YAML (not its comment) names what README lists.
yaml_of = lambda line: "" if line.lstrip().startswith("#") else line.split(" #", 1)[0]  # noqa: E731
kept = [line for line in lines if not any(name in yaml_of(line) for name in named)]
if len(lines) - len(kept) < 2:
    sys.exit(f"README's canary names no line of serverless.yml: {named}")
Path("serverless.yml").write_text("".join(kept))
print(f"the canary: deleted {', '.join(paths)} and {len(lines) - len(kept)} lines of serverless.yml")

greetings = bullet("The greetings table")
# The files README says to edit, not delete (the core's lib.rs, under the fork's own crate
# name); every other path it names goes.
core_lib = next((name for name in greetings if name.endswith("/src/lib.rs")), None)
edited = {core_lib, "handler/", "handler/Cargo.toml", "serverless.yml"}
missing = edited - set(greetings)
if missing:
    sys.exit(f"README no longer says to edit {sorted(map(str, missing))} to delete the greetings table")
paths = delete_paths([name for name in greetings if name not in edited], "the greetings table")


def drop_lines(path: Path, doomed) -> int:
    """Drops each line `doomed` names; where it answers "and its item", the Rust item after
    it too (through the line that closes every bracket it opened)."""
    lines = path.read_text().splitlines(keepends=True)
    kept, depth, in_item = [], 0, False
    for line in lines:
        if in_item:
            depth += sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
            in_item = depth > 0 or not line.rstrip().endswith((",", ";", "}"))
            continue
        verdict = doomed(line)
        in_item, depth = verdict == "and its item", 0
        if not verdict:
            kept.append(line)
    path.write_text("".join(kept))
    return len(lines) - len(kept)


dropped = drop_lines(Path(core_lib), lambda line: line.strip() == "pub mod greetings;")
feature = next(name for name in greetings if name.startswith("feature = "))
for source in Path("handler").rglob("*.rs"):
    dropped += drop_lines(source, lambda line: "and its item" if feature in line else False)
manifest = Path("handler/Cargo.toml").read_text().split("\n[features]\n", 1)
if len(manifest) != 2:
    sys.exit("handler/Cargo.toml has no [features] table: README's list moved")
features_end = manifest[1].find("\n[")
Path("handler/Cargo.toml").write_text(manifest[0] + manifest[1][features_end:])
dropped += drop_lines(Path("handler/Cargo.toml"), lambda line: "optional = true" in line)
dropped += drop_lines(Path("serverless.yml"), lambda line: "infra/greetings.yml" in yaml_of(line))
print(f"the greetings table: deleted {', '.join(paths)} and {dropped} lines")
PY
cargo update --workspace --quiet
make snapshots
[ ! -e .circleci ] || die "the CircleCI config was not deleted"
[ -z "$(python3 -m ops value alias)" ] || die "the canary's alias is still configured"
git add -A

say "The edited fork passes its README test command again"
bash -c "$test_command" 2>&1 | tee "$workdir/edited-gate.log"
grep -q '"RouteKey": "ANY /greet"' dist/prod/cloudformation-template-update-stack.json || die "the route was not renamed"
grep -q '^GET /goodbye: GET /goodbye answered 200' "$workdir/edited-gate.log" \
  || die "the rehearsal did not smoke-test the added route GET /goodbye"
grep -q "so no live alias: rollback by release is left out" "$workdir/edited-gate.log" \
  || die "the rehearsal of the copy without the canary did not release all at once"
grep -q "^previews removed: 1" "$workdir/edited-gate.log" \
  || die "the edited copy's rehearsal did not deploy previews of $name and reap one"
if grep -qE 'POST /greetings then GET|: the data of ' "$workdir/edited-gate.log"; then
  die "the copy without the greetings table still deployed a table or wrote a greeting"
fi
grep -q '"GET /greetings' handler/tests/api/snapshots/*routes*.snap && die "the routes snapshot still has the greetings routes"
say "$name: generated, renamed, edited, given a route and rid of CircleCI, the canary and the greetings table as README says, and green"
