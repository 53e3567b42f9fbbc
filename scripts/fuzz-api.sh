#!/usr/bin/env bash
# Fuzzes every operation of the OpenAPI document with schemathesis: starts
# gremlin on a temporary SQLite database, runs the checks for server errors,
# status-code, content-type and response-schema conformance, then stops it.
# Endpoints added later are covered without changes here.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${FUZZ_VENV:-/var/tmp/gremlin-fuzz-venv}
SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-50}

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "fuzz-api: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet --bin gremlin
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/gremlin"

WORK=$(mktemp -d)
cleanup() {
  [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

(cd "$WORK" && env -u GREMLIN_DATABASE__URL GREMLIN_LOG__FILTER=warn,gremlin::server=info GREMLIN_RATE_LIMIT__ENABLED=false \
  "$BIN" serve --bind 127.0.0.1:0 >"$WORK/stdout.log" 2>"$WORK/server.log") &
PID=$!
ADDR=""
for _ in $(seq 150); do
  ADDR=$(grep -o 'listening on http://[0-9.:]*' "$WORK/server.log" 2>/dev/null | head -n1 | sed 's|listening on http://||') || true
  [ -n "$ADDR" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log"; echo "fuzz-api: server exited"; exit 1; }
  sleep 0.2
done
[ -n "$ADDR" ] || { cat "$WORK/server.log"; echo "fuzz-api: server did not start"; exit 1; }
echo "fuzz-api: fuzzing http://$ADDR"

"$VENV/bin/schemathesis" run "http://$ADDR/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$MAX_EXAMPLES" \
  --suppress-health-check all --workers 2 --request-timeout 10 --warnings off
echo "fuzz-api: passed"
