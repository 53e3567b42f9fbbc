#!/usr/bin/env bash
# Builds the binary with each domain feature alone and checks what its
# OpenAPI document exposes: an orders-only build has no identity endpoint,
# an identity-only build no orders endpoint. Then runs the split-deployment
# tests with those two binaries as the two services (PostgreSQL and NATS
# must be up: `make services`). Rebuilds the full binary last, so
# target/debug/gremlin is the default build again.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}

paths() { "$TARGET/debug/gremlin" openapi | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["paths"]))'; }

mkdir -p "${CARGO_TARGET_DIR:-target}/feature-builds"
TARGET=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)

check() {
  local feature=$1 wanted=$2 unwanted=$3
  "$CARGO" build --quiet -p gremlin --locked --no-default-features --features "$feature"
  cp "$TARGET/debug/gremlin" "$TARGET/feature-builds/gremlin-$feature"
  local p; p=$(paths)
  grep -q "^$wanted" <<<"$p" || { echo "feature-builds: --features $feature lacks $wanted"; exit 1; }
  if grep -q "^$unwanted" <<<"$p"; then echo "feature-builds: --features $feature exposes $unwanted"; exit 1; fi
  echo "feature-builds: --features $feature alone: $(grep -c '^/api' <<<"$p") API paths, none under $unwanted"
}

check orders /api/orders /api/auth
check identity /api/auth /api/orders
"$CARGO" build --quiet -p gremlin --locked
echo "feature-builds: split-deployment tests with the identity-only and orders-only binaries"
GREMLIN_TEST_BIN_IDENTITY="$TARGET/feature-builds/gremlin-identity" \
GREMLIN_TEST_BIN_ORDERS="$TARGET/feature-builds/gremlin-orders" \
  "$CARGO" test --quiet -p gremlin --locked --test api split_deployment
