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

# Mail goes to the SMTP sink `make services` starts, which keeps a Maildir
# the script reads links from; account deletion is on.
MAILDIR=${GREMLIN_TEST_SMTP_MAILDIR:-/var/tmp/gremlin-smtp/Maildir}
export TEMP_GREMLIN_ENV="GREMLIN_MAIL__URL=smtp://127.0.0.1:${GREMLIN_TEST_SMTP_PORT:-2525} GREMLIN_AUTH__ALLOW_ACCOUNT_DELETION=true"

. "$ROOT/scripts/serve-temp.sh"
start_temp_gremlin client-smoke

echo "client-smoke: Better Auth client against http://$ADDR"
(cd "$CLIENT_DIR" && GREMLIN_URL="http://$ADDR" GREMLIN_MAILDIR="$MAILDIR" node smoke.mjs)
