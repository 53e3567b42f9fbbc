#!/usr/bin/env bash
# make soak: a bounded load-and-soak run against a release build of Gremlin
# on PostgreSQL + NATS JetStream + Redis + MongoDB, all on this machine
# (127.0.0.1 only). NATS and Redis are private servers on spare ports, so
# the soak can restart them without disturbing anything else.
#
#   SOAK_SECS (default 600)   how long the mixed workload runs
#
# Middle of the run: a 64-connection sign-in flood, a flood of 3 000 clients
# that send half a request header and stop, and one restart of NATS and
# Redis. At the end: every accepted order is in the database and its
# order.created event reached a durable consumer exactly once. Writes a
# table and an RSS-over-time plot to bench/soak.md and bench/soak-rss.png.
# Not part of `make test`; it fails only when the loss check fails or the
# server dies.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
ADMIN_URL=${GREMLIN_SOAK_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
SOAK_HOME=${SOAK_HOME:-/var/tmp/gremlin-soak}
export SOAK_SECS=${SOAK_SECS:-600}

bash scripts/services.sh
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || { echo "soak: nats-server is missing (make services installs it)"; exit 1; }
mkdir -p "$SOAK_HOME"
if [ ! -x "$SOAK_HOME/venv/bin/python" ] || ! "$SOAK_HOME/venv/bin/python" -c 'import aiohttp, nats, matplotlib, pymongo' 2>/dev/null; then
  python3 -m venv "$SOAK_HOME/venv"
  "$SOAK_HOME/venv/bin/pip" install -q 'aiohttp>=3.9,<4' 'nats-py>=2.7,<3' 'matplotlib>=3.8,<4' 'pymongo>=4.6,<5'
fi

cargo build --release --quiet --locked --bin gremlin
export SOAK_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/gremlin"
export SOAK_ADMIN_URL="$ADMIN_URL" SOAK_OUT="$ROOT/bench"
export SOAK_NATS_SERVER=$(command -v nats-server || echo /usr/sbin/nats-server)
export SOAK_COMMIT=$(git rev-parse --short HEAD)
exec "$SOAK_HOME/venv/bin/python" "$ROOT/scripts/soak.py"
