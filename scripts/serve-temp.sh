# Sourced by scripts that need a throw-away Gremlin: builds the binary and
# serves it on a free port with an empty SQLite database in a temp dir,
# public URL matching the address, rate limits off. Sets ADDR and stops the
# server (and removes the directory) on exit. TEMP_GREMLIN_ENV may add
# settings (`KEY=value …`, as for env).
# Usage: . scripts/serve-temp.sh; start_temp_gremlin NAME

start_temp_gremlin() {
  local name=$1 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  cargo build --quiet --bin gremlin
  local bin="${CARGO_TARGET_DIR:-$root/target}/debug/gremlin"
  TEMP_GREMLIN_DIR=$(mktemp -d)
  trap 'stop_temp_gremlin' EXIT
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  ADDR="127.0.0.1:$port"
  # exec: the recorded PID is the server's own, so stopping it stops Gremlin.
  # shellcheck disable=SC2086 # TEMP_GREMLIN_ENV is a list of KEY=value words.
  (cd "$TEMP_GREMLIN_DIR" && exec env -u GREMLIN_DATABASE__URL GREMLIN_LOG__FILTER=warn GREMLIN_RATE_LIMIT__ENABLED=false \
    GREMLIN_PUBLIC_URL="http://$ADDR" ${TEMP_GREMLIN_ENV:-} "$bin" serve --bind "$ADDR" >"$TEMP_GREMLIN_DIR/stdout.log" 2>"$TEMP_GREMLIN_DIR/server.log") &
  TEMP_GREMLIN_PID=$!
  for _ in $(seq 150); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://$ADDR/healthz', timeout=1)" 2>/dev/null && return 0
    kill -0 "$TEMP_GREMLIN_PID" 2>/dev/null || break
    sleep 0.2
  done
  cat "$TEMP_GREMLIN_DIR/server.log"
  echo "$name: gremlin did not start"
  exit 1
}

stop_temp_gremlin() {
  if [ -n "${TEMP_GREMLIN_PID:-}" ]; then
    kill "$TEMP_GREMLIN_PID" 2>/dev/null && wait "$TEMP_GREMLIN_PID" 2>/dev/null || true
  fi
  [ -n "${TEMP_GREMLIN_DIR:-}" ] && rm -rf "$TEMP_GREMLIN_DIR"
  return 0
}
