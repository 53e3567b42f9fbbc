#!/usr/bin/env bash
# Builds the binary with each domain's feature alone and checks what its
# OpenAPI document exposes: its own API, and no other domain's. The list of
# domains (name = Cargo feature, API path prefix) comes from the full
# build's `gremlin domains --json`, i.e. from the registry, so a new domain
# is checked without touching this script. Then runs the split-deployment
# tests with the identity-only and orders-only binaries as the two services
# (PostgreSQL and NATS must be up: `make services`), and the toy-domain
# test that proves one registry line is enough. Rebuilds the full binary
# last, so target/debug/gremlin is the default build again.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}

mkdir -p "${CARGO_TARGET_DIR:-target}/feature-builds"
TARGET=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)

"$CARGO" build --quiet -p gremlin --locked
domains=$("$TARGET/debug/gremlin" domains --json)
names() { python3 -c 'import json,sys; print(" ".join(d["name"] for d in json.loads(sys.argv[1])))' "$domains"; }
prefix() { python3 -c 'import json,sys; print(next(d["path_prefix"] for d in json.loads(sys.argv[1]) if d["name"] == sys.argv[2]))' "$domains" "$1"; }
paths() { "$TARGET/debug/gremlin" openapi | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["paths"]))'; }

for feature in $(names); do
  "$CARGO" build --quiet -p gremlin --locked --no-default-features --features "$feature"
  cp "$TARGET/debug/gremlin" "$TARGET/feature-builds/gremlin-$feature"
  p=$(paths)
  own=$(prefix "$feature")
  grep -q "^$own" <<<"$p" || { echo "feature-builds: --features $feature lacks $own"; exit 1; }
  for other in $(names); do
    [ "$other" = "$feature" ] && continue
    theirs=$(prefix "$other")
    if grep -q "^$theirs" <<<"$p"; then echo "feature-builds: --features $feature exposes $theirs"; exit 1; fi
  done
  echo "feature-builds: --features $feature alone: $(grep -c '^/api' <<<"$p") API paths under $own, no other domain's"
done

echo "feature-builds: the toy domain, registered in one line, is mounted, documented, migrated and consumed"
"$CARGO" test --quiet -p gremlin --locked --features toy-domain --test api toy_domain

"$CARGO" build --quiet -p gremlin --locked
echo "feature-builds: split-deployment tests with single-domain binaries"
GREMLIN_TEST_BIN_IDENTITY="$TARGET/feature-builds/gremlin-identity" \
GREMLIN_TEST_BIN_ORDERS="$TARGET/feature-builds/gremlin-orders" \
GREMLIN_TEST_BIN_INVOICES="$TARGET/feature-builds/gremlin-invoices" \
GREMLIN_TEST_BIN_CRM="$TARGET/feature-builds/gremlin-crm" \
GREMLIN_TEST_BIN_LEAVE="$TARGET/feature-builds/gremlin-leave" \
  "$CARGO" test --quiet -p gremlin --locked --test api split_deployment
