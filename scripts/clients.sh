#!/usr/bin/env bash
# make clients: the committed spec (openapi/gremlin.json) as its users meet it.
#   1. lints it: Redocly `recommended` with 0 errors, Spectral `oas` with 0
#      warnings, and openapi/asyncapi.json through the AsyncAPI parser with
#      no error or warning (tools pinned in openapi/clients/lint);
#   2. generates a TypeScript client (openapi-typescript + openapi-fetch,
#      default settings) and type-checks the smoke test with tsc --strict;
#   3. generates a Python client (openapi-python-client) with zero warnings;
#   4. checks each client holds every operation of the spec;
#   5. drives a throw-away Gremlin with both smoke tests.
# Tools install once into CLIENTS_DIR (default /var/tmp/gremlin-clients).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SPEC="$ROOT/openapi/gremlin.json"
SRC="$ROOT/openapi/clients"
DIR=${CLIENTS_DIR:-/var/tmp/gremlin-clients}
say() { echo "clients: $*"; }

if ! command -v npm >/dev/null; then
  say "installing Node.js and npm from Debian packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

# npm ci into $DIR/$1 when its lock file changed since the last install.
npm_install() {
  local name=$1
  mkdir -p "$DIR/$name"
  cp "$SRC/$name/package.json" "$SRC/$name/package-lock.json" "$DIR/$name/"
  if ! cmp -s "$DIR/$name/package-lock.json" "$DIR/$name/.installed-lock" 2>/dev/null; then
    say "installing $name tools from npm"
    (cd "$DIR/$name" && npm ci --no-audit --no-fund --silent)
    cp "$DIR/$name/package-lock.json" "$DIR/$name/.installed-lock"
  fi
}

say "linting the spec"
npm_install lint
cp "$SRC/lint/redocly.yaml" "$SRC/lint/.spectral.yaml" "$SRC/lint/asyncapi-check.mjs" "$DIR/lint/"
(cd "$DIR/lint" && npx --no-install redocly lint --config redocly.yaml --format=summary "$SPEC")
(cd "$DIR/lint" && npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity=warn "$SPEC")
(cd "$DIR/lint" && node asyncapi-check.mjs "$ROOT/openapi/asyncapi.json")

say "TypeScript client"
npm_install typescript
rm -rf "$DIR/typescript/src" "$DIR/typescript/dist"
cp -r "$SRC/typescript/src" "$SRC/typescript/tsconfig.json" "$DIR/typescript/"
(cd "$DIR/typescript" && npx --no-install openapi-typescript "$SPEC" --output src/schema.d.ts && npx --no-install tsc --project tsconfig.json)
python3 "$SRC/check_operations.py" "$SPEC" --typescript "$DIR/typescript/src/schema.d.ts"

say "Python client"
if [ ! -x "$DIR/python/venv/bin/pip" ]; then
  python3 -m venv "$DIR/python/venv"
fi
if ! cmp -s "$SRC/python/requirements.txt" "$DIR/python/.installed-requirements" 2>/dev/null; then
  "$DIR/python/venv/bin/pip" install --quiet -r "$SRC/python/requirements.txt"
  cp "$SRC/python/requirements.txt" "$DIR/python/.installed-requirements"
fi
rm -rf "$DIR/python/gremlin-client"
generated=$(cd "$DIR/python" && venv/bin/openapi-python-client generate --path "$SPEC" \
  --config "$SRC/python/config.yaml" --meta setup 2>&1)
echo "$generated"
if grep -qi "warning" <<<"$generated"; then
  say "openapi-python-client reported warnings"
  exit 1
fi
"$DIR/python/venv/bin/pip" install --quiet --force-reinstall "$DIR/python/gremlin-client"
python3 "$SRC/check_operations.py" "$SPEC" --python "$DIR/python/gremlin-client/gremlin_client"

. "$ROOT/scripts/serve-temp.sh"
start_temp_gremlin clients
say "smoke tests against http://$ADDR"
(cd "$DIR/typescript" && GREMLIN_URL="http://$ADDR" node --test dist/smoke.test.js)
GREMLIN_URL="http://$ADDR" "$DIR/python/venv/bin/pytest" -q -p no:cacheprovider "$SRC/python/tests"
