# Every command a person or CI runs. CircleCI calls these targets and holds no logic of its own.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/.tools/node/node_modules/.bin:$(CURDIR)/.tools/cargo/bin:$(HOME)/.cargo/bin:$(CURDIR)/.tools/venv/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# Snapshots are checked, never rewritten, by the gate: review changes with `make snapshots`.
export INSTA_UPDATE := no

COVERAGE_DIR := target/llvm-cov
# testkit/ is test support (fixtures, the Runtime API stand-in): exercised by the tests it
# serves, and measuring it would only measure itself.
COVERAGE_REPORT := cargo llvm-cov report --ignore-filename-regex '(^|/)testkit/' 

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: tools
tools: ## Install the pinned tools into .tools/ and node_modules/ (skips what is there)
	scripts/tools.sh rust cargo-tools python node

.PHONY: lock
lock: ## After changing tools/requirements*.in: resolve every transitive pin, with hashes, into the locks
	scripts/tools.sh python
	for input in tools/requirements.in tools/requirements-checkov.in; do \
	  uv pip compile --quiet --universal --python-version 3.11 --generate-hashes "$$input" -o "$${input%.in}.txt"; \
	done

.PHONY: run
run: ## Serve the function on http://127.0.0.1:9000 with cargo-lambda's emulator
	scripts/tools.sh rust python
	cargo lambda watch --invoke-address 127.0.0.1 --invoke-port 9000

.PHONY: test
test: tools lint core-is-pure coverage packages budgets rehearse check-config ## The whole gate: lint, tests, coverage, packages, budgets, delivery rehearsal, config checks

.PHONY: lint
lint: ## rustfmt and clippy on the Rust, ruff and shellcheck on the ops code, warnings denied
	scripts/tools.sh rust python
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	# --all-targets leaves out a bench marked `bench = false`, as the budgets gate is.
	cargo clippy -p hello-world-handler --bench budgets --locked -- -D warnings
	ruff format --check .
	ruff check .
	shellcheck scripts/*.sh $(wildcard template/*.sh) .ci/run

.PHONY: core-is-pure
core-is-pure: ## Fail if the core crate depends on Lambda, async or HTTP-server crates
	@scripts/tools.sh rust
	@if cargo tree -p hello-world --edges normal,build --prefix none --locked \
	    | grep -E '^(lambda_http|lambda_runtime|aws_lambda_events|tokio|hyper) '; then \
	  echo "hello-world must stay pure: the crates above do not belong in it" >&2; exit 1; fi
	@echo "hello-world is free of Lambda, tokio and hyper"

.PHONY: coverage
coverage: ## Run every test once under nextest and llvm-cov; fail under 100% lines
	scripts/tools.sh rust cargo-tools
	# A test binary left from before a dependency changed would be measured too, its lines unrun.
	cargo llvm-cov clean --workspace
	cargo llvm-cov nextest --workspace --locked --profile ci --no-report
	$(COVERAGE_REPORT) --html --output-dir $(COVERAGE_DIR)
	$(COVERAGE_REPORT) --lcov --output-path $(COVERAGE_DIR)/lcov.info
	$(COVERAGE_REPORT) --summary-only --fail-under-lines 100 --show-missing-lines

.PHONY: snapshots
snapshots: ## After changing a response on purpose: rewrite the snapshots, then review `git diff`
	scripts/tools.sh rust cargo-tools
	# In `make coverage`'s build: after `make test`, only what changed since compiles.
	INSTA_UPDATE=always INSTA_FORCE_PASS=1 cargo llvm-cov nextest --workspace --locked --no-report

# ---- Package once, deploy many -------------------------------------------------------------
# Every target here runs the one ops package (ops/, `python -m ops --help`). STAGE is a stage
# name or a role of project.yml's `stages` (qa, production, default). Left empty, ops takes
# project.yml's default stage: production is reached only by naming it.
STAGE ?=
STAGE_ARG = $(if $(STAGE),--stage $(STAGE))
RELEASE ?=
REGION ?=
COMMIT ?=
URL ?=
REUSE_ZIP ?=
OPS := python3 -m ops
APPLY ?=
CIRCLECI_ORG_ID ?=
CIRCLECI_PROJECT_ID ?=

.PHONY: package
package: ## Build the arm64 zip and package STAGE (default: project.yml's default stage) once, with its manifest
	scripts/tools.sh rust python node
	$(OPS) package $(STAGE_ARG) $(if $(RELEASE),--release $(RELEASE))

.PHONY: packages
packages: ## Package qa and production from one zip (the one `make test` built, if it is there)
	scripts/tools.sh rust python node
	$(OPS) package --stage qa $(if $(REUSE_ZIP),--reuse-zip)
	$(OPS) package --stage production --reuse-zip $(if $(RELEASE),--release $(RELEASE))

.PHONY: publish
publish: ## Put the release (zip, manifests, packages) in every region's release bucket
	scripts/tools.sh python
	$(OPS) publish

.PHONY: deploy-release
deploy-release: ## Deploy release COMMIT to STAGE from the release buckets, region by region (or REGION)
	@[ -n "$(COMMIT)" ] || { echo "usage: make deploy-release COMMIT=<sha> [STAGE=<stage or role>] [REGION=...]" >&2; exit 2; }
	scripts/tools.sh python node
	$(OPS) deploy-release --commit $(COMMIT) $(STAGE_ARG) $(if $(REGION),--region $(REGION))

.PHONY: acceptance
acceptance: ## The contract as a client sees it, against URL, or STAGE's API in REGION (default: every region)
	scripts/tools.sh python
	$(if $(URL),ACCEPTANCE_URL=$(URL) python3 -m pytest -q -p no:cacheprovider acceptance, \
	  for region in $(or $(REGION),$$($(OPS) value regions)); do \
	    ACCEPTANCE_URL=$$($(OPS) stage-url --region $$region $(STAGE_ARG)) python3 -m pytest -q -p no:cacheprovider acceptance; \
	  done)

.PHONY: deploy
deploy: ## Deploy the STAGE package to REGION; `make deploy-all` does every region
	@[ -n "$(REGION)" ] || { echo "usage: make deploy REGION=<region> [STAGE=<stage or role>]" >&2; exit 2; }
	scripts/tools.sh python node
	$(OPS) deploy --region $(REGION) $(STAGE_ARG)

.PHONY: deploy-all
deploy-all: ## Deploy the STAGE package to every region of project.yml, one after the other
	scripts/tools.sh python node
	$(OPS) deploy $(STAGE_ARG)

.PHONY: rollback
rollback: ## Move the live alias back in every region, to release RELEASE (a commit) or the one before live
	scripts/tools.sh python
	$(OPS) rollback $(STAGE_ARG) $(if $(RELEASE),--release $(RELEASE))

.PHONY: smoke-global
smoke-global: ## STAGE's one endpoint (its domain): which region answers? And a greeting written in one region is read in the others
	scripts/tools.sh python
	$(OPS) smoke-global $(STAGE_ARG)

.PHONY: dashboard
dashboard: ## Print STAGE's dashboard in every region (its stacks' DashboardUrl)
	scripts/tools.sh python
	$(OPS) dashboard $(STAGE_ARG)

.PHONY: drain
drain: ## Send STAGE's traffic away from REGION (its health check inverted); no deploy
	@[ -n "$(REGION)" ] || { echo "usage: make drain REGION=<region> [STAGE=<stage or role>]" >&2; exit 2; }
	scripts/tools.sh python
	$(OPS) drain --region $(REGION) $(STAGE_ARG)

.PHONY: restore
restore: ## Let REGION serve STAGE again after `make drain`
	@[ -n "$(REGION)" ] || { echo "usage: make restore REGION=<region> [STAGE=<stage or role>]" >&2; exit 2; }
	scripts/tools.sh python
	$(OPS) restore --region $(REGION) $(STAGE_ARG)

.PHONY: preview
preview: ## Deploy BRANCH's own preview stage to the first region, as CI does: package (if needed), deploy, smoke test, acceptance
	scripts/tools.sh rust python node
	$(OPS) preview --branch "$(BRANCH)"

.PHONY: preview-remove
preview-remove: ## Plan the removal of BRANCH's preview; APPLY=1 removes it
	scripts/tools.sh python
	$(OPS) preview-remove --branch "$(BRANCH)" $(if $(APPLY),--apply)

.PHONY: reap
reap: ## Plan removing every preview whose branch is gone from REMOTE (origin) or merged, or that sat idle too long; APPLY=1 removes them
	scripts/tools.sh python
	$(OPS) reap $(if $(REMOTE),--remote "$(REMOTE)") $(if $(APPLY),--apply)

.PHONY: bootstrap
bootstrap: ## Plan this project's account setup (release buckets, deploy role); APPLY=1 carries it out
	scripts/tools.sh python
	$(OPS) bootstrap $(if $(CIRCLECI_ORG_ID),--org-id $(CIRCLECI_ORG_ID)) \
	  $(if $(CIRCLECI_PROJECT_ID),--project-id $(CIRCLECI_PROJECT_ID)) $(if $(APPLY),--apply)

.PHONY: rehearse
rehearse: ## Offline: deploy one package to both regions of a local moto, check hashes and every route
	scripts/tools.sh rust python node
	$(OPS) rehearse

.PHONY: check-config
check-config: ## Offline checks of CircleCI, serverless.yml, the templates and the ops code
	scripts/tools.sh python
	# CircleCI's config is checked while there is one: a fork may delete it (README).
	$(if $(wildcard .circleci/config.yml),check-jsonschema --builtin-schema vendor.circle-ci .circleci/config.yml)
	$(if $(wildcard .circleci/config.yml),python3 scripts/check-circleci-references.py .circleci/config.yml)
	python3 -m pytest -q -n auto --dist loadgroup infra/tests $(wildcard template/tests)

# ---- Performance ---------------------------------------------------------------------------

.PHONY: bench
bench: ## criterion: per-request cost of the core and of the handler (target/criterion)
	scripts/tools.sh rust
	cargo bench -p hello-world --bench core -p hello-world-handler --bench handle

.PHONY: cold-start
cold-start: ## The release binary: cold start (30 runs), peak RSS and invocations per second
	scripts/tools.sh rust
	cargo bench -p hello-world-handler --bench cold_start

STATELESS_FUNCTION := target/stateless/hello-world-handler

.PHONY: budgets
budgets: ## Fail if the zip, the cold start (alone, and beside a stateless build) or the per-request cost is over its budget
	scripts/tools.sh rust python
	# The function without its table, in the profile the bench builds the function in (so the
	# dependencies are built once for both), copied out before the bench's build replaces it.
	cargo build --locked --profile bench -p hello-world-handler --no-default-features --bin hello-world-handler
	mkdir -p $(dir $(STATELESS_FUNCTION))
	cp target/release/hello-world-handler $(STATELESS_FUNCTION)
	FUNCTION_ZIP=$(CURDIR)/$$($(OPS) value zip) STATELESS_FUNCTION=$(CURDIR)/$(STATELESS_FUNCTION) \
	  cargo bench --locked -p hello-world-handler --bench budgets

# ---- The template --------------------------------------------------------------------------

.PHONY: test-template
test-template: ## cargo generate a renamed copy and run its build, tests, checks and sls package
	scripts/tools.sh rust cargo-tools python node template
	template/test-template.sh
