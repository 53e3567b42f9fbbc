# Gremlin — the two commands a newcomer needs:
#   make run    serve on embedded defaults (SQLite, in-memory bus and cache)
#   make test   start the test services, then run every test on SQLite and PostgreSQL
# See README.md for the rest.

CARGO ?= cargo
# Test runner: cargo-nextest when installed, cargo test otherwise.
NEXTEST := $(shell $(CARGO) nextest --version >/dev/null 2>&1 && echo yes)

.PHONY: run test unit lint fmt openapi services fuzz-api client-smoke clients bench soak build feature-builds

run:
	$(CARGO) run --bin gremlin -- serve

build:
	$(CARGO) build --workspace --locked

test: services
ifeq ($(NEXTEST),yes)
	$(CARGO) nextest run --workspace --locked --no-fail-fast
else
	$(CARGO) test --workspace --locked --no-fail-fast
endif

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) clippy --workspace --all-targets --locked --all-features -- -D warnings
	$(CARGO) clippy -p gremlin --all-targets --locked --no-default-features -- -D warnings
	$(CARGO) clippy -p gremlin --all-targets --locked --no-default-features --features identity -- -D warnings
	$(CARGO) clippy -p gremlin --all-targets --locked --no-default-features --features orders -- -D warnings

# Each domain feature builds alone, exposing only its own endpoints.
feature-builds: services
	bash scripts/feature-builds.sh

fmt:
	$(CARGO) fmt --all

openapi:
	$(CARGO) run --quiet --bin gremlin -- openapi --output openapi/gremlin.json
	$(CARGO) run --quiet --bin gremlin -- asyncapi --output openapi/asyncapi.json

services:
	bash scripts/services.sh

fuzz-api:
	bash scripts/fuzz-api.sh

client-smoke: services
	bash scripts/client-smoke.sh

# Lint the committed spec, generate TypeScript and Python clients from it
# and drive a running Gremlin with both (see scripts/clients.sh).
clients:
	bash scripts/clients.sh

bench:
	bash scripts/bench.sh

# Load and soak run (SOAK_SECS, default 600): floods, a broker restart, RSS
# over time and a loss check, written to bench/soak.md. Not part of test.
soak:
	bash scripts/soak.sh
