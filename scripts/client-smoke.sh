#!/usr/bin/env bash
# Drives Gremlin with the official Better Auth client (npm, pinned) to show
# that Better Auth front ends work against it unchanged. Starts gremlin on a
# temporary SQLite database, runs openapi/better-auth-client/smoke.mjs, stops it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLIENT_DIR=${CLIENT_SMOKE_DIR:-/var/tmp/gremlin-better-auth-client}

if ! command -v npm >/dev/null; then
  echo "client-smoke: installing Node.js and npm from Debian packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
mkdir -p "$CLIENT_DIR"
cp "$ROOT/openapi/better-auth-client/package.json" "$ROOT/openapi/better-auth-client/smoke.mjs" "$CLIENT_DIR/"
if [ ! -d "$CLIENT_DIR/node_modules/better-auth" ]; then
  echo "client-smoke: installing better-auth from npm"
  (cd "$CLIENT_DIR" && npm install --no-audit --no-fund --silent)
fi

cargo build --quiet --bin gremlin
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/gremlin"

WORK=$(mktemp -d)
cleanup() {
  [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A free port chosen first, so the public URL (JWT iss/aud, CSRF origin)
# matches the address the client uses.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ADDR="127.0.0.1:$PORT"
(cd "$WORK" && env -u GREMLIN_DATABASE__URL GREMLIN_LOG__FILTER=warn GREMLIN_RATE_LIMIT__ENABLED=false GREMLIN_PUBLIC_URL="http://$ADDR" \
  "$BIN" serve --bind "$ADDR" >"$WORK/stdout.log" 2>"$WORK/server.log") &
PID=$!
for _ in $(seq 150); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://$ADDR/healthz', timeout=1)" 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log"; echo "client-smoke: server exited"; exit 1; }
  sleep 0.2
done

echo "client-smoke: Better Auth client against http://$ADDR"
(cd "$CLIENT_DIR" && GREMLIN_URL="http://$ADDR" node smoke.mjs)
