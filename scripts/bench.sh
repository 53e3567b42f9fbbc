#!/usr/bin/env bash
# make bench: starts a release build of Gremlin on a fresh PostgreSQL
# database, prepares a user, an organization and 200 orders, then measures
# with wrk (2 threads, 32 connections, 10 s each, same machine):
#   GET /healthz (unauthenticated: the ceiling of this server in this run),
#   GET /api/orders/{id}, GET /api/orders?limit=50, POST /api/orders with an
#   Idempotency-Key. Prints requests/s, p50, p99, the ratio to /healthz and
#   the server's peak RSS, and writes them to bench/results.md.
# Not part of `make test`; timings never fail anything.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
ADMIN_URL=${GREMLIN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin gremlin
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/gremlin"

DB="bench_$(date +%s)_$$"
BASE_URL=${ADMIN_URL%/*}
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
WORK=$(mktemp -d)
cleanup() {
  [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ADDR="127.0.0.1:$PORT"
(cd "$WORK" && GREMLIN_DATABASE__URL="$BASE_URL/$DB" GREMLIN_DATABASE__MAX_CONNECTIONS=16 \
  GREMLIN_AUTH_SECRET=bench-secret-0123456789abcdef0123456789abcdef GREMLIN_PUBLIC_URL="http://$ADDR" \
  GREMLIN_RATE_LIMIT__ENABLED=false GREMLIN_LOG__FILTER=warn \
  "$BIN" serve --bind "$ADDR" >"$WORK/server.log" 2>&1) &
PID=$!
for _ in $(seq 150); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://$ADDR/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.2
done
SERVER_PID=$(pgrep -f "serve --bind $ADDR" | head -n1)

# A user, an organization (active), a service JWT and 200 orders.
read -r TOKEN ORDER_ID < <(python3 - "$ADDR" <<'PY'
import json, sys, urllib.request
base = f"http://{sys.argv[1]}"
def call(method, path, body=None, auth=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if auth:
        req.add_header("authorization", auth)
    with urllib.request.urlopen(req) as resp:
        return resp.headers, json.loads(resp.read() or b"null")
headers, _ = call("POST", "/api/auth/sign-up/email", {"name": "Bench", "email": "bench@example.com", "password": "correct-horse-battery-1"})
session = "Bearer " + headers["set-auth-token"]
call("POST", "/api/auth/organization/create", {"name": "Bench", "slug": "bench"}, session)
_, token = call("GET", "/api/auth/token", auth=session)
jwt = "Bearer " + token["token"]
order_id = None
for i in range(200):
    _, order = call("POST", "/api/orders", {"currency": "EUR", "lines": [{"sku": f"S{i}", "quantity": "2", "unit_price": "19.99", "tax_rate": "20"}, {"sku": "X", "quantity": "1", "unit_price": "5"}]}, jwt)
    order_id = order["id"]
print(token["token"], order_id)
PY
)
AUTH="Bearer $TOKEN"
export BENCH_AUTH="$AUTH" BENCH_RUN="$(date +%s)"

run() { # name, extra wrk args...
  local name=$1; shift
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" >"$WORK/$name.txt" 2>&1
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$name.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/$name.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/$name.txt")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$WORK/$name.txt")
  echo "$name $rps $p50 $p99 ${errors:-0}"
}

RESULTS=$(
  run healthz "http://$ADDR/healthz"
  run get_order -H "authorization: $AUTH" "http://$ADDR/api/orders/$ORDER_ID"
  run list_orders -H "authorization: $AUTH" "http://$ADDR/api/orders?limit=50"
  run create_order -s "$ROOT/bench/create-order.lua" "http://$ADDR"
)
RSS=$(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$SERVER_PID/status" 2>/dev/null || echo "n/a")
CEILING=$(echo "$RESULTS" | awk '$1=="healthz" {print $2}')

{
  echo "# Benchmark results"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) at $(git rev-parse --short HEAD) by \`make bench\`."
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;"
  echo "wrk and Gremlin share the machine: wrk -t2 -c$CONNECTIONS -d$DURATION, release build, PostgreSQL $(psql "$ADMIN_URL" -tAc 'SHOW server_version' | cut -d' ' -f1), embedded bus and cache, rate limits off."
  echo
  echo "| scenario | requests/s | p50 | p99 | share of /healthz | non-2xx |"
  echo "|---|---:|---:|---:|---:|---:|"
  echo "$RESULTS" | while read -r name rps p50 p99 errors; do
    ratio=$(awk -v a="$rps" -v b="$CEILING" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }')
    echo "| $name | $rps | $p50 | $p99 | $ratio | $errors |"
  done
  echo
  echo "Server peak RSS (VmHWM): $RSS."
} >"$ROOT/bench/results.md"
cat "$ROOT/bench/results.md"
