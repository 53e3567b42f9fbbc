#!/usr/bin/env bash
# make bench: measures a release build of Gremlin on this machine, with the
# ceilings it should be compared to measured in the same run.
#
# Ceilings: `pgbench -S` (one-row select, the same client count) against
# the same PostgreSQL, and each server's own GET /healthz.
# Setups, each on a fresh PostgreSQL database: `embedded` (in-process event
# bus and cache), then `nats-redis` (NATS JetStream + Redis, the shared
# servers, its own stream and key prefix). Each prepares a user, an
# organization, 200 orders and 50 invoices, then runs wrk (2 threads, 32 connections,
# 10 s each) on:
#   healthz, get_order (JWT, one order, two lines), list_orders (50),
#   create_order (Idempotency-Key), get_invoice (finalized, two lines, one
#   payment), list_invoices (50), create_invoice (a draft), finalize_invoice
#   (each request a different draft: the organization's gapless numbering
#   serializes them), search_companies (a filter group over 10 000 CRM
#   companies), search_companies_text (a free-text query over them),
#   get_deal, move_deal (each request a different deal to the top of one
#   stage: moves into a stage serialize), leave_balances (a member's
#   balances as of a day over 5 years of ledger), leave_team_calendar (a
#   month of who is away among 200 members), get_session (session cookie), and
#   get_session_flooded (the same while 4 more connections sign in).
# Per scenario: requests/s, p50, p99, the server's CPU time per request
# (utime+stime from /proc), SQL statements per request (the server's own
# counter, /metrics db_statements_total), database transactions per
# request (pg_stat_database, read once the backends have flushed), and the
# share of the scenario's ceiling. Writes bench/results.md.
# Not part of `make test`; timings never fail anything.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
ADMIN_URL=${GREMLIN_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
FLOOD_CONNECTIONS=4
# PostgreSQL flushes a busy backend's statistics at most once a second and
# an idle one's after 10 s: transaction counts are read after this pause.
STATS_SETTLE=${BENCH_STATS_SETTLE:-11}

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v pgbench >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }
cargo build --release --quiet --locked --bin gremlin
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/gremlin"
TICKS=$(getconf CLK_TCK)

WORK=$(mktemp -d)
PID=""; DB=""; STREAM=""; PGBENCH_DB=""
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
drop_db() { psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || true; }
stop_server() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  PID=""
  [ -n "$DB" ] && drop_db "$DB"
  DB=""
  [ -n "$STREAM" ] && drop_stream "$STREAM"
  STREAM=""
}
cleanup() { stop_server; [ -n "$PGBENCH_DB" ] && drop_db "$PGBENCH_DB"; rm -rf "$WORK"; }
trap cleanup EXIT

# The database ceiling: pgbench's one-row select with the same client count.
pgbench_ceiling() {
  PGBENCH_DB="bench_pgbench_$$"
  local url="${ADMIN_URL%/*}/$PGBENCH_DB"
  psql "$ADMIN_URL" -qc "CREATE DATABASE $PGBENCH_DB" >/dev/null
  pgbench -q -i -s 1 "$url" >/dev/null 2>&1
  pgbench -n -S -c "$CONNECTIONS" -j 2 -T "${DURATION%s}" "$url" >"$WORK/pgbench.txt" 2>&1
  drop_db "$PGBENCH_DB"; PGBENCH_DB=""
  awk '/^tps/ {print "row ceiling pgbench_S", $3, "-", "-", "-", "-", "-", "-", 0; exit}' "$WORK/pgbench.txt"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
statements() { curl -sf "http://$ADDR/metrics" | awk '$1=="db_statements_total" {printf "%d", $2}'; }
transactions() {
  psql "$ADMIN_URL" -tAc "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$DB'"
}

# run SETUP NAME [wrk args…]: one wrk run and what it cost the server.
run() {
  local setup=$1 name=$2; shift 2
  local cpu0 st0 tx0
  cpu0=$(cpu_ticks); st0=$(statements); tx0=$(transactions)
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" >"$WORK/$setup-$name.txt" 2>&1
  local cpu1 st1 rss
  cpu1=$(cpu_ticks); st1=$(statements)
  rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$PID/status")
  sleep "$STATS_SETTLE"
  local tx1; tx1=$(transactions)
  local f="$WORK/$setup-$name.txt"
  local rps p50 p99 errors total
  rps=$(awk '/Requests\/sec/ {print $2}' "$f")
  p50=$(awk '$1=="50%" {print $2}' "$f")
  p99=$(awk '$1=="99%" {print $2}' "$f")
  errors=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$f")
  total=$(awk '/requests in/ {print $1}' "$f")
  python3 - "$setup" "$name" "$rps" "$p50" "$p99" "${errors:-0}" "$total" "$cpu0" "$cpu1" "$TICKS" "$st0" "$st1" "$tx0" "$tx1" "$rss" <<'PY'
import sys
setup, name, rps, p50, p99, errors, total, cpu0, cpu1, ticks, st0, st1, tx0, tx1, rss = sys.argv[1:]
total = max(int(total), 1)
cpu_us = (int(cpu1) - int(cpu0)) / int(ticks) * 1e6 / total
# Two /metrics reads bracket the run; each sends one statement (the backlog).
statements = max(int(st1) - int(st0) - 1, 0) / total
transactions = max(int(tx1) - int(tx0) - 2, 0) / total
print(f"row {setup} {name} {rps} {p50} {p99} {cpu_us:.0f} {statements:.2f} {transactions:.2f} {rss} {errors}")
PY
}

# bench SETUP [VAR=value …]: a fresh database and server with the given
# adapters, a user, an organization and 200 orders, then the scenarios.
bench() {
  local setup=$1; shift
  DB="bench_$(date +%s)_$$"
  local base_url=${ADMIN_URL%/*}
  psql "$ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  ADDR="127.0.0.1:$port"
  # exec: $PID is the server's own, so stop_server stops Gremlin itself.
  (cd "$WORK" && exec env "$@" GREMLIN_DATABASE__URL="$base_url/$DB" GREMLIN_DATABASE__MAX_CONNECTIONS=16 \
    GREMLIN_AUTH_SECRET=bench-secret-0123456789abcdef0123456789abcdef GREMLIN_PUBLIC_URL="http://$ADDR" \
    GREMLIN_RATE_LIMIT__ENABLED=false GREMLIN_LOG__FILTER=warn \
    "$BIN" serve --bind "$ADDR" >"$WORK/server-$setup.log" 2>&1) &
  PID=$!
  for _ in $(seq 150); do
    curl -sf "http://$ADDR/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done

  # A user (with its session cookie), an organization (active), a service
  # JWT, 200 orders, and a second user for the sign-in flood.
  local token order_id cookie invoice_id org
  read -r token order_id cookie invoice_id org < <(python3 - "$ADDR" <<'PY'
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
cookie = headers["set-cookie"].split(";")[0]
call("POST", "/api/auth/organization/create", {"name": "Bench", "slug": "bench"}, session)
_, token = call("GET", "/api/auth/token", auth=session)
jwt = "Bearer " + token["token"]
order_id = None
for i in range(200):
    _, order = call("POST", "/api/orders", {"currency": "EUR", "lines": [{"sku": f"S{i}", "quantity": "2", "unit_price": "19.99", "tax_rate": "20"}, {"sku": "X", "quantity": "1", "unit_price": "5"}]}, jwt)
    order_id = order["id"]
invoice_id = None
for i in range(50):
    body = {"currency": "EUR", "customer": {"name": f"Customer {i}"}, "lines": [{"description": "Consulting", "quantity": "2", "unit_price": "650", "tax_rate": "23"}, {"description": "Travel", "quantity": "1", "unit_price": "184.50"}]}
    headers, invoice = call("POST", "/api/invoices", body, jwt)
    invoice_id = invoice["id"]
def act(path, body, version):
    req = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode())
    for k, v in {"content-type": "application/json", "authorization": jwt, "if-match": f'"{version}"'}.items():
        req.add_header(k, v)
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())
opened = act(f"/api/invoices/{invoice_id}/finalize", {}, invoice["version"])
act(f"/api/invoices/{invoice_id}/payments", {"amount": "1000", "method": "bank_transfer"}, opened["version"])
call("POST", "/api/auth/sign-up/email", {"name": "Flood", "email": "flood@example.com", "password": "correct-horse-battery-1"})
org = call("GET", "/api/auth/get-session", auth=session)[1]["session"]["activeOrganizationId"]
print(token["token"], order_id, cookie, invoice_id, org)
PY
  )
  local auth="Bearer $token"
  # The database's own ceiling for the order read: pgbench sending the same
  # join (order and lines, by organization and id) as a prepared statement,
  # as the server's driver does, with the same client count.
  cat >"$WORK/order-read.sql" <<SQL
SELECT o.*, l.* FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
 WHERE o.organization_id = '$org' AND o.id = '$order_id' ORDER BY o.id, l.position;
SQL
  pgbench -n -M prepared -f "$WORK/order-read.sql" -c "$CONNECTIONS" -j 2 -T "${DURATION%s}" "${ADMIN_URL%/*}/$DB" 2>&1 |
    awk -v s="$setup" '/^tps/ {print "floor", s, $3; exit}'
  sleep "$STATS_SETTLE" # the set-up's own transactions are counted before the first run
  export BENCH_AUTH="$auth" BENCH_RUN="$(date +%s)$setup"
  run "$setup" healthz "http://$ADDR/healthz"
  run "$setup" get_order -H "authorization: $auth" "http://$ADDR/api/orders/$order_id"
  run "$setup" list_orders -H "authorization: $auth" "http://$ADDR/api/orders?limit=50"
  run "$setup" create_order -s "$ROOT/bench/create-order.lua" "http://$ADDR"
  run "$setup" get_invoice -H "authorization: $auth" "http://$ADDR/api/invoices/$invoice_id"
  run "$setup" list_invoices -H "authorization: $auth" "http://$ADDR/api/invoices?limit=50"
  run "$setup" create_invoice -s "$ROOT/bench/create-invoice.lua" "http://$ADDR"
  # Every draft made so far, for finalize_invoice to take one each.
  export BENCH_DRAFTS="$WORK/$setup-drafts.txt"
  python3 - "$ADDR" "$auth" >"$BENCH_DRAFTS" <<'PY'
import json, sys, urllib.request
base, auth, cursor = f"http://{sys.argv[1]}", sys.argv[2], None
while True:
    url = f"{base}/api/invoices?status=draft&limit=200&direction=asc" + (f"&cursor={cursor}" if cursor else "")
    req = urllib.request.Request(url, headers={"authorization": auth})
    with urllib.request.urlopen(req) as resp:
        page = json.loads(resp.read())
    for invoice in page["items"]:
        print(invoice["id"])
    cursor = page["next_cursor"]
    if not page["has_more"]:
        break
PY
  echo "drafts $setup $(wc -l <"$BENCH_DRAFTS")"
  run "$setup" finalize_invoice -s "$ROOT/bench/finalize-invoice.lua" "http://$ADDR"
  # CRM: 10 000 companies and 5 000 deals in the default pipeline's first
  # stage, inserted in SQL (set-up data, not what is measured).
  local stages deal_id
  stages=$(curl -sf -H "authorization: $auth" "http://$ADDR/api/crm/pipelines" |
    python3 -c 'import json,sys; p=json.load(sys.stdin)["items"][0]; print(p["id"], p["stages"][0]["id"], p["stages"][1]["id"])')
  read -r pipeline_id first_stage second_stage <<<"$stages"
  psql "${ADMIN_URL%/*}/$DB" -q >/dev/null <<SQL
INSERT INTO crm_companies (id, organization_id, created_by, created_at_us, updated_by, updated_at_us, deleted_at_us,
  version, name, name_key, domain, employees, annual_revenue_e4, annual_revenue_currency, address, city, country,
  links, owner_id, tags, search_text)
SELECT gen_random_uuid()::text, '$org', 'bench', 1764000000000000 + i, 'bench', 1764000000000000 + i, NULL, 1,
  'Company ' || i, 'company ' || i, 'c' || i || '.example', i % 500, (i * 1000)::bigint * 10000,
  CASE WHEN i % 3 = 0 THEN 'USD' ELSE 'EUR' END, '{}', 'berlin', 'de', '[]', NULL, '[]',
  'company ' || i || ' c' || i || '.example'
FROM generate_series(1, 10000) AS i;
INSERT INTO crm_deals (id, organization_id, created_by, created_at_us, updated_by, updated_at_us, deleted_at_us,
  version, name, amount_e4, currency, expected_close_on, pipeline_id, stage_id, probability, status, lost_reason,
  closed_on, company_id, contact_id, owner_id, tags, position, name_key, search_text)
SELECT gen_random_uuid()::text, '$org', 'bench', 1764000000000000 + i, 'bench', 1764000000000000 + i, NULL, 1,
  'Deal ' || i, (i * 100)::bigint * 10000, 'EUR', '2027-01-15', '$pipeline_id', '$first_stage', 10, 'open', NULL,
  NULL, NULL, NULL, NULL, '[]', i * 1024, 'deal ' || i, 'deal ' || i
FROM generate_series(1, 5000) AS i;
ANALYZE crm_companies; ANALYZE crm_deals;
SQL
  export BENCH_DEALS="$WORK/$setup-deals.txt" BENCH_STAGE="$second_stage"
  psql "${ADMIN_URL%/*}/$DB" -tAc "SELECT id FROM crm_deals ORDER BY position" >"$BENCH_DEALS"
  deal_id=$(head -1 "$BENCH_DEALS")
  sleep "$STATS_SETTLE"
  run "$setup" search_companies -s "$ROOT/bench/search-companies.lua" "http://$ADDR"
  BENCH_SEARCH_QUERY="company 123" run "$setup" search_companies_text -s "$ROOT/bench/search-companies.lua" "http://$ADDR"
  run "$setup" get_deal -H "authorization: $auth" "http://$ADDR/api/crm/deals/$deal_id"
  # get_deal read the first deal; the moves start after it.
  sed -i 1d "$BENCH_DEALS"
  run "$setup" move_deal -s "$ROOT/bench/move-deal.lua" "http://$ADDR"
  # Leave: one type; 5 years of ledger for the bench user (a grant and 40
  # one-day leaves a year) and, in one month, 400 requests of 200 members,
  # inserted in SQL (set-up data, not what is measured).
  local leave_type year
  year=$(date +%Y)
  leave_type=$(curl -sf -X POST -H "authorization: $auth" -H "content-type: application/json" \
    -H "idempotency-key: bench-leave-type" -d '{"name": "Annual"}' "http://$ADDR/api/leave/types" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  local me
  me=$(curl -sf -H "authorization: $auth" "http://$ADDR/api/leave/members/me/profile" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["user_id"])')
  psql "${ADMIN_URL%/*}/$DB" -q >/dev/null <<SQL
INSERT INTO leave_ledger (id, organization_id, user_id, leave_type_id, kind, days_e2, on_date, created_by, created_at_us)
SELECT gen_random_uuid()::text, '$org', '$me', '$leave_type', 'allocation', 2500,
  make_date($year - y, 1, 1)::text, 'bench', 1764000000000000 + y
FROM generate_series(0, 4) AS y;
INSERT INTO leave_ledger (id, organization_id, user_id, leave_type_id, kind, days_e2, on_date, request_id,
  created_by, created_at_us)
SELECT gen_random_uuid()::text, '$org', '$me', '$leave_type', 'taken', -100,
  (make_date($year - y, 1, 5) + 7 * d)::text, gen_random_uuid()::text, 'bench', 1764000000000000 + 100 * y + d
FROM generate_series(0, 4) AS y, generate_series(0, 39) AS d;
INSERT INTO leave_requests (id, organization_id, user_id, leave_type_id, from_on, to_on, starts, ends, days_e2,
  reason, status, created_by, created_at_us, updated_by, updated_at_us, version)
SELECT gen_random_uuid()::text, '$org', 'bench-member-' || m, '$leave_type',
  make_date($year, 3, 1 + (m + 7 * k) % 28)::text, make_date($year, 3, 1 + (m + 7 * k) % 28)::text,
  'morning', 'afternoon', 100, NULL, CASE WHEN k = 0 THEN 'approved' ELSE 'pending' END,
  'bench', 1764000000000000 + 10 * m + k, 'bench', 1764000000000000 + 10 * m + k, 1
FROM generate_series(1, 200) AS m, generate_series(0, 1) AS k;
ANALYZE leave_ledger; ANALYZE leave_requests;
SQL
  sleep "$STATS_SETTLE"
  run "$setup" leave_balances -H "authorization: $auth" "http://$ADDR/api/leave/members/me/balances?as_of=$year-06-30"
  run "$setup" leave_team_calendar -H "authorization: $auth" "http://$ADDR/api/leave/calendar?from=$year-03-01&to=$year-03-31"
  run "$setup" get_session -H "cookie: $cookie" "http://$ADDR/api/auth/get-session"
  # The same read while sign-ins flood the password hashers beside it.
  local flood_secs=$(( ${DURATION%s} + 2 ))
  wrk -t1 -c"$FLOOD_CONNECTIONS" -d"${flood_secs}s" -s "$ROOT/bench/sign-in.lua" \
    "http://$ADDR/api/auth/sign-in/email" >"$WORK/$setup-flood.txt" 2>&1 &
  local flood=$!
  run "$setup" get_session_flooded -H "cookie: $cookie" "http://$ADDR/api/auth/get-session"
  wait "$flood" || true
  echo "flood $setup $(awk '/Requests\/sec/ {print $2}' "$WORK/$setup-flood.txt")"
  echo "rss $setup $(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$PID/status" 2>/dev/null || echo n/a)"
  stop_server
}

STREAM_NAME="BENCH_$(date +%s)_$$"
RESULTS=$(
  pgbench_ceiling
  bench embedded
  STREAM=$STREAM_NAME
  bench nats-redis GREMLIN_EVENTS__URL=nats://127.0.0.1:4222 GREMLIN_EVENTS__STREAM="$STREAM_NAME" \
    GREMLIN_EVENTS__SUBJECT_PREFIX="bench_$$" GREMLIN_CACHE__URL=redis://127.0.0.1:6379 \
    GREMLIN_CACHE__KEY_PREFIX="bench:$(date +%s):"
)
drop_stream "$STREAM_NAME"

PGBENCH_TPS=$(echo "$RESULTS" | awk '$1=="row" && $3=="pgbench_S" {print $4}')
{
  echo "# Benchmark results"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) at $(git rev-parse --short HEAD) by \`make bench\`."
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;"
  echo "wrk, pgbench, PostgreSQL and Gremlin share the machine: wrk -t2 -c$CONNECTIONS -d$DURATION, release build,"
  echo "PostgreSQL $(psql "$ADMIN_URL" -tAc 'SHOW server_version' | cut -d' ' -f1), pool of 16 connections, rate limits off."
  echo "Setups: \`embedded\` = in-process event bus and cache; \`nats-redis\` = NATS JetStream (the outbox relay publishes every"
  echo "create, consumers pull) and Redis (idempotency records, membership and session cache), all on this machine."
  echo
  echo "Ceilings in the same run: \`pgbench -S\` (one-row select, $CONNECTIONS clients): **$PGBENCH_TPS tps**; each setup's \`/healthz\`."
  echo "The single-document reads (get_order, get_invoice, get_deal, get_session) are compared with pgbench, everything else with /healthz."
  echo "$RESULTS" | awk '$1=="floor" {printf "The order read'"'"'s database floor, %s: **%s tps** (pgbench -M prepared sending get_order'"'"'s own join, same clients).  \n", $2, $3}'
  echo "See [docs/performance.md](../docs/performance.md) for where a request's time goes."
  echo "CPU = the server's user+system time per request (µs); statements = SQL statements the server sent per request;"
  echo "transactions = PostgreSQL's committed+rolled-back transactions per request (pg_stat_database; for
  get_session_flooded they include the sign-ins')."
  echo
  echo "| setup | scenario | requests/s | p50 | p99 | CPU µs/req | statements/req | transactions/req | RSS after (MiB) | share of ceiling | non-2xx |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "$RESULTS" | awk '$1=="row" && $2!="ceiling"' | while read -r _ setup name rps p50 p99 cpu st tx rss errors; do
    case "$name" in
      get_order|get_invoice|get_deal|get_session*) ceiling=$PGBENCH_TPS; against="pgbench -S" ;;
      *) ceiling=$(echo "$RESULTS" | awk -v s="$setup" '$1=="row" && $2==s && $3=="healthz" {print $4}'); against="/healthz" ;;
    esac
    ratio=$(awk -v a="$rps" -v b="$ceiling" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }')
    echo "| $setup | $name | $rps | $p50 | $p99 | $cpu | $st | $tx | $rss | $ratio of $against | $errors |"
  done
  echo
  echo "$RESULTS" | awk '$1=="drafts" {printf "Drafts available to finalize_invoice, %s: %s (once used up, its requests are 409s, counted as non-2xx).  \n", $2, $3}'
  echo "$RESULTS" | awk -v c="$FLOOD_CONNECTIONS" '$1=="flood" {printf "Sign-in flood beside get_session_flooded, %s: %s sign-ins/s on %s connections.  \n", $2, $3, c}'
  echo "$RESULTS" | awk '$1=="rss" {printf "Server peak RSS (VmHWM), %s: %s MiB.  \n", $2, $3}'
} >"$ROOT/bench/results.md"
cat "$ROOT/bench/results.md"
