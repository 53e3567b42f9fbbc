#!/usr/bin/env bash
# make bench: runs a release build of Gremlin twice on a fresh PostgreSQL
# database each time — on the embedded event bus and cache, then on NATS
# JetStream + Redis (the shared servers, its own stream and key prefix) —
# prepares a user, an organization and 200 orders, then measures with wrk
# (2 threads, 32 connections, 10 s each, same machine):
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

WORK=$(mktemp -d)
PID=""; DB=""; STREAM=""
drop_stream() { # JetStream API over the plain NATS protocol: no client needed.
  python3 - "$1" <<'PY' || true
import socket, sys
s = socket.create_connection(("127.0.0.1", 4222), timeout=3)
s.recv(4096)
for name in (sys.argv[1], sys.argv[1] + "_DEAD_LETTERS"):
    s.sendall(f"CONNECT {{}}\r\nPUB $JS.API.STREAM.DELETE.{name} 0\r\n\r\n".encode())
s.sendall(b"PING\r\n")
s.recv(4096)
PY
}
stop_server() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  PID=""
  [ -n "$DB" ] && psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  DB=""
  [ -n "$STREAM" ] && drop_stream "$STREAM"
  STREAM=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

# bench SETUP [VAR=value …]: a fresh database and server with the given
# adapters, a user, an organization and 200 orders, then the four scenarios.
bench() {
  local setup=$1; shift
  DB="bench_$(date +%s)_$$"
  local base_url=${ADMIN_URL%/*}
  psql "$ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
  local port addr
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  addr="127.0.0.1:$port"
  # exec: $PID is the server's own, so stop_server stops Gremlin itself.
  (cd "$WORK" && exec env "$@" GREMLIN_DATABASE__URL="$base_url/$DB" GREMLIN_DATABASE__MAX_CONNECTIONS=16 \
    GREMLIN_AUTH_SECRET=bench-secret-0123456789abcdef0123456789abcdef GREMLIN_PUBLIC_URL="http://$addr" \
    GREMLIN_RATE_LIMIT__ENABLED=false GREMLIN_LOG__FILTER=warn \
    "$BIN" serve --bind "$addr" >"$WORK/server-$setup.log" 2>&1) &
  PID=$!
  for _ in $(seq 150); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://$addr/readyz', timeout=1)" 2>/dev/null && break
    sleep 0.2
  done

  # A user, an organization (active), a service JWT and 200 orders.
  local token order_id
  read -r token order_id < <(python3 - "$addr" <<'PY'
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
  local auth="Bearer $token"
  export BENCH_AUTH="$auth" BENCH_RUN="$(date +%s)$setup"
  run "$setup" healthz "http://$addr/healthz"
  run "$setup" get_order -H "authorization: $auth" "http://$addr/api/orders/$order_id"
  run "$setup" list_orders -H "authorization: $auth" "http://$addr/api/orders?limit=50"
  run "$setup" create_order -s "$ROOT/bench/create-order.lua" "http://$addr"
  echo "rss $setup $(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$PID/status" 2>/dev/null || echo n/a)"
  stop_server
}

run() { # setup, name, extra wrk args...
  local setup=$1 name=$2; shift 2
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" >"$WORK/$setup-$name.txt" 2>&1
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/$setup-$name.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/$setup-$name.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/$setup-$name.txt")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$WORK/$setup-$name.txt")
  echo "row $setup $name $rps $p50 $p99 ${errors:-0}"
}

STREAM_NAME="BENCH_$(date +%s)_$$"
RESULTS=$(
  bench embedded
  STREAM=$STREAM_NAME
  bench nats-redis GREMLIN_EVENTS__URL=nats://127.0.0.1:4222 GREMLIN_EVENTS__STREAM="$STREAM_NAME" \
    GREMLIN_EVENTS__SUBJECT_PREFIX="bench_$$" GREMLIN_CACHE__URL=redis://127.0.0.1:6379 \
    GREMLIN_CACHE__KEY_PREFIX="bench:$(date +%s):"
)
drop_stream "$STREAM_NAME"

{
  echo "# Benchmark results"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) at $(git rev-parse --short HEAD) by \`make bench\`."
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;"
  echo "wrk and Gremlin share the machine: wrk -t2 -c$CONNECTIONS -d$DURATION, release build, PostgreSQL $(psql "$ADMIN_URL" -tAc 'SHOW server_version' | cut -d' ' -f1), rate limits off."
  echo "Setups: \`embedded\` = in-process event bus and cache; \`nats-redis\` = NATS JetStream (the outbox relay publishes every"
  echo "create, consumers pull) and Redis (idempotency records, membership cache), all on this machine."
  echo
  echo "| setup | scenario | requests/s | p50 | p99 | share of its /healthz | non-2xx |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  echo "$RESULTS" | awk '$1=="row"' | while read -r _ setup name rps p50 p99 errors; do
    ceiling=$(echo "$RESULTS" | awk -v s="$setup" '$1=="row" && $2==s && $3=="healthz" {print $4}')
    ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }')
    echo "| $setup | $name | $rps | $p50 | $p99 | $ratio | $errors |"
  done
  echo
  echo "$RESULTS" | awk '$1=="rss" {printf "Server peak RSS (VmHWM), %s: %s MiB.  \n", $2, $3}'
} >"$ROOT/bench/results.md"
cat "$ROOT/bench/results.md"
