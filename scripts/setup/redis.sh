#!/usr/bin/env bash
# Redis for judgekit's cluster mode (BullMQ queue, hot results, events), on Debian or Ubuntu, as
# root, idempotently.
#   scripts/setup/redis.sh           install Debian's redis-server if it is missing, with Debian's own
#                                    service disabled (the tests start throw-away servers of their own)
#   scripts/setup/redis.sh --start   also start the server the project owns: 127.0.0.1 only, its own
#                                    port and directory, AOF on (appendfsync everysec), a generated
#                                    password; prints JUDGEKIT_REDIS_URL on the last line
#   scripts/setup/redis.sh --stop    stop that server (it writes its data first)
#   scripts/setup/redis.sh --status  say whether it runs
# Never touches another Redis server. Settings: JUDGEKIT_REDIS_PORT (6380),
# JUDGEKIT_REDIS_DIR (/var/lib/judgekit/redis).
set -euo pipefail

PORT="${JUDGEKIT_REDIS_PORT:-6380}"
DIR="${JUDGEKIT_REDIS_DIR:-/var/lib/judgekit/redis}"
CONF="$DIR/redis.conf"
PIDFILE="$DIR/redis.pid"
LOG="$DIR/redis.log"
URL_FILE="$DIR/redis-url"

say() { printf '[redis setup] %s\n' "$*" >&2; }
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/apt.sh"

action=install
case "${1:-}" in
  "") ;;
  --start) action=start ;;
  --stop) action=stop ;;
  --status) action=status ;;
  *) echo "usage: scripts/setup/redis.sh [--start|--stop|--status]" >&2; exit 2 ;;
esac

if [[ $(id -u) -ne 0 ]]; then
  echo "[redis setup] run as root (sudo bash $0 $*)" >&2
  exit 1
fi

# --- install ---------------------------------------------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
  say "installing Debian's redis-server"
  # Debian's package starts its own service on 6379; judgekit needs none (the tests and --start
  # run their own), so it is masked before the install and never started.
  systemctl mask redis-server.service >/dev/null 2>&1 || true
  apt_no_service_start apt_install redis-server
fi
command -v redis-server >/dev/null 2>&1 || { echo "[redis setup] no redis-server after the install" >&2; exit 1; }
say "Redis: $(redis-server --version | awk '{print $3}' | sed 's/v=//')"
[[ $action == install ]] && exit 0

running() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
cli() { REDISCLI_AUTH="$(sed -E 's#^redis://:([^@]*)@.*#\1#' "$URL_FILE")" redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }

case "$action" in
  status)
    if running; then say "running on 127.0.0.1:$PORT ($DIR)"; cat "$URL_FILE"; exit 0; fi
    say "not running ($DIR)"; exit 1 ;;
  stop)
    if running; then cli shutdown >/dev/null 2>&1 || kill "$(cat "$PIDFILE")"; say "stopped"; else say "not running"; fi
    exit 0 ;;
esac

# --- start: write the project's configuration once, then start it ---------------------------
if [[ ! -f "$CONF" ]]; then
  say "creating the judgekit Redis in $DIR (port $PORT, 127.0.0.1 only, AOF on)"
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)
  # BullMQ needs keys never evicted: maxmemory-policy noeviction.
  cat > "$CONF" <<CONF
# judgekit (scripts/setup/redis.sh)
bind 127.0.0.1
protected-mode yes
port $PORT
dir $DIR
pidfile $PIDFILE
logfile $LOG
daemonize yes
appendonly yes
appendfsync everysec
maxmemory-policy noeviction
requirepass $password
CONF
  chmod 600 "$CONF"
  printf 'redis://:%s@127.0.0.1:%s\n' "$password" "$PORT" > "$URL_FILE"
  chmod 600 "$URL_FILE"
fi

if running; then
  say "already running on 127.0.0.1:$PORT"
else
  say "starting on 127.0.0.1:$PORT (log: $LOG)"
  redis-server "$CONF"
  for _ in $(seq 1 100); do
    cli ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
  cli ping 2>/dev/null | grep -q PONG || { echo "[redis setup] Redis did not answer; see $LOG" >&2; exit 1; }
fi
cat "$URL_FILE"
