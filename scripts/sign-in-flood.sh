#!/usr/bin/env bash
# The attack measurements of issue 9, repeatable: a release Gremlin on
# embedded defaults with rate limits off (as behind a proxy that hides
# client addresses), then
#   * POST /api/auth/sign-in/email with wrk, 8, 32 and 64 connections for
#     5 s each: sign-ins/s, p99, non-2xx, RSS and peak RSS after each;
#   * RSS 5 s after the flood;
#   * 3 000 connections that send half a request header and stop: how many
#     the server still holds 35 s later, its open file descriptors, and its
#     RSS 3 s and 23 s after the clients hang up.
# Usage: scripts/sign-in-flood.sh [BINARY] (default: builds the release
# binary). 127.0.0.1 only; bounded in time; never part of CI.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-}
if [ -z "$BIN" ]; then
  (cd "$ROOT" && cargo build --release --quiet --locked --bin gremlin)
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/gremlin"
fi
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
(cd "$WORK" && exec env GREMLIN_RATE_LIMIT__ENABLED=false GREMLIN_LOG__FILTER=error GREMLIN_PUBLIC_URL="$BASE" \
  "$BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1) &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
  -d '{"name":"Flood","email":"flood@example.com","password":"correct-horse-battery-1"}' "$BASE/api/auth/sign-up/email"

mib() { awk -v k="$1:" '$1==k {printf "%.0f", $2/1024}' "/proc/$PID/status"; }
echo "idle (after one sign-up): RSS $(mib VmRSS) MiB"
for c in 8 32 64; do
  wrk -t2 -c"$c" -d5s --latency -s "$ROOT/bench/sign-in.lua" "$BASE/api/auth/sign-in/email" >"$WORK/wrk-$c.txt" 2>&1
  printf '%s connections: %s sign-ins/s, p99 %s, non-2xx %s, RSS %s MiB (peak %s MiB)\n' "$c" \
    "$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$c.txt")" "$(awk '$1=="99%" {print $2}' "$WORK/wrk-$c.txt")" \
    "$(awk '/Non-2xx/ {print $5}' "$WORK/wrk-$c.txt" | grep . || echo 0)" "$(mib VmRSS)" "$(mib VmHWM)"
done
sleep 5
echo "5 s after the flood: RSS $(mib VmRSS) MiB"

python3 - "$PORT" "$PID" <<'PY'
import os, socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def rss():
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) // 1024 for l in f if l.startswith("VmRSS:"))
socks = []
for _ in range(3000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    s.setblocking(False)
    socks.append(s)
time.sleep(35)
held = 0
for s in socks:
    try:
        held += 1 if s.recv(1) else 0
    except BlockingIOError:
        held += 1
    except OSError:
        pass
print(f"3000 half-sent headers: {held} still held after 35 s; server file descriptors: {len(os.listdir(f'/proc/{pid}/fd'))}")
for s in socks:
    s.close()
time.sleep(3)
print(f"RSS 3 s after those clients hung up: {rss()} MiB")
time.sleep(20)
print(f"RSS 23 s after: {rss()} MiB")
PY
