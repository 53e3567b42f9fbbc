#!/usr/bin/env bash
# Checks the external services Gremlin's tests use and starts whatever is
# not answering, idempotently: PostgreSQL, Redis and NATS (usually already
# running on the machine) and the MongoDB-compatible SecantusDB server
# (installed from PyPI into a venv under $MONGO_HOME on first use), and an
# SMTP sink that keeps every message it receives in a Maildir (aiosmtpd from
# PyPI, under $SMTP_HOME): the identity tests read their mail from it. The
# console's browser tests need Chromium and its WebDriver (Debian's chromium
# and chromium-driver).
set -euo pipefail

log() { printf 'services: %s\n' "$*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 100); do port_open "$1" && return 0; sleep 0.2; done
  return 1
}

apt_install() {
  log "installing $* from Debian packages"
  if [ ! -f /var/tmp/gremlin-apt-updated ]; then apt-get update -qq && touch /var/tmp/gremlin-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  if port_open 5432; then log "PostgreSQL answers on 5432"; return; fi
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort | tail -n1)" main start || true
  wait_port 5432 || { log "PostgreSQL did not start"; exit 1; }
}

ensure_redis() {
  # The binary is needed even when Redis runs: fault tests start their own on a spare port.
  command -v redis-server >/dev/null || apt_install redis-server
  if port_open 6379; then log "Redis answers on 6379"; return; fi
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379 || { log "Redis did not start"; exit 1; }
}

ensure_nats() {
  if port_open 4222; then log "NATS answers on 4222"; return; fi
  [ -x /usr/sbin/nats-server ] || apt_install nats-server
  log "starting NATS with JetStream"
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port 4222 || { log "NATS did not start"; exit 1; }
}

ensure_mongo() {
  MONGO_HOME=${MONGO_HOME:-/var/tmp/gremlin-mongo}
  MONGO_PORT=${MONGO_PORT:-27017}
  local py="$MONGO_HOME/venv/bin/python"
  mkdir -p "$MONGO_HOME"
  if [ ! -x "$MONGO_HOME/venv/bin/secantusd-py" ]; then
    log "installing SecantusDB (MongoDB wire protocol) into $MONGO_HOME/venv"
    python3 -m venv "$MONGO_HOME/venv"
    "$MONGO_HOME/venv/bin/pip" install -q --pre 'SecantusDB==0.7.0b3'
  fi
  ping_ok() {
    "$py" -c "import pymongo;pymongo.MongoClient('mongodb://127.0.0.1:$MONGO_PORT/',serverSelectionTimeoutMS=300).admin.command('ping')" 2>/dev/null
  }
  if ping_ok; then log "MongoDB-compatible server answers on $MONGO_PORT"; return; fi
  log "starting SecantusDB on $MONGO_PORT"
  nohup "$MONGO_HOME/venv/bin/secantusd-py" --host 127.0.0.1 --port "$MONGO_PORT" \
    --storage-path :memory: --log-level WARNING >"$MONGO_HOME/server.log" 2>&1 &
  echo $! >"$MONGO_HOME/server.pid"
  for _ in $(seq 150); do ping_ok && break; sleep 0.2; done
  ping_ok || { cat "$MONGO_HOME/server.log"; log "SecantusDB did not start"; exit 1; }
}

ensure_smtp_sink() {
  SMTP_HOME=${SMTP_HOME:-/var/tmp/gremlin-smtp}
  SMTP_PORT=${SMTP_PORT:-2525}
  mkdir -p "$SMTP_HOME/Maildir/tmp" "$SMTP_HOME/Maildir/new" "$SMTP_HOME/Maildir/cur"
  if [ ! -x "$SMTP_HOME/venv/bin/aiosmtpd" ]; then
    log "installing aiosmtpd (SMTP sink) into $SMTP_HOME/venv"
    python3 -m venv "$SMTP_HOME/venv"
    "$SMTP_HOME/venv/bin/pip" install -q 'aiosmtpd==1.4.6'
  fi
  if port_open "$SMTP_PORT"; then log "SMTP sink answers on $SMTP_PORT"; return; fi
  log "starting the SMTP sink on $SMTP_PORT (Maildir $SMTP_HOME/Maildir)"
  nohup "$SMTP_HOME/venv/bin/aiosmtpd" -n -l "127.0.0.1:$SMTP_PORT" \
    -c aiosmtpd.handlers.Mailbox "$SMTP_HOME/Maildir" >"$SMTP_HOME/server.log" 2>&1 &
  echo $! >"$SMTP_HOME/server.pid"
  wait_port "$SMTP_PORT" || { cat "$SMTP_HOME/server.log"; log "the SMTP sink did not start"; exit 1; }
}

ensure_browser() {
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    log "Chromium and chromedriver are installed"
    return
  fi
  apt_install chromium chromium-driver
}

ensure_postgres
ensure_redis
ensure_nats
ensure_mongo
ensure_smtp_sink
ensure_browser
log "all services are up"
