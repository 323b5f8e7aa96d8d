#!/usr/bin/env bash
# PostgreSQL for judgekit's durable mode, on Debian or Ubuntu, as root, idempotently.
#   scripts/setup/postgres.sh           install Debian's PostgreSQL server if it is missing (the tests
#                                       start throw-away clusters of their own from it)
#   scripts/setup/postgres.sh --start   also create (once) and start the cluster the project owns:
#                                       127.0.0.1 only, its own port and data directory, a generated
#                                       password; prints JUDGEKIT_DATABASE_URL on the last line
#   scripts/setup/postgres.sh --stop    stop that cluster
#   scripts/setup/postgres.sh --status  say whether it runs
# Never touches another cluster (Debian's "main" included). Settings:
#   JUDGEKIT_PG_PORT (5433), JUDGEKIT_PG_DIR (/var/lib/judgekit/postgres).
set -euo pipefail

PORT="${JUDGEKIT_PG_PORT:-5433}"
DIR="${JUDGEKIT_PG_DIR:-/var/lib/judgekit/postgres}"
DATA="$DIR/data"
RUN="$DIR/run"
LOG="$DIR/server.log"
URL_FILE="$DIR/database-url"

say() { printf '[postgres setup] %s\n' "$*" >&2; }

action=install
case "${1:-}" in
  "") ;;
  --start) action=start ;;
  --stop) action=stop ;;
  --status) action=status ;;
  *) echo "usage: scripts/setup/postgres.sh [--start|--stop|--status]" >&2; exit 2 ;;
esac

if [[ $(id -u) -ne 0 ]]; then
  echo "[postgres setup] run as root (sudo bash $0 $*)" >&2
  exit 1
fi

bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir)
    [[ -x "$d/initdb" ]] && { echo "$d"; return; }
  fi
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  [[ -n "$d" && -x "$d/initdb" ]] && echo "$d"
}

# --- install ---------------------------------------------------------------------------------
if [[ -z "$(bindir)" ]]; then
  # Debian's package would create and start a "main" cluster on port 5432; the project needs none
  # (the tests and --start make their own), so a fresh install is told not to.
  if [[ ! -e /usr/share/postgresql-common ]]; then
    mkdir -p /etc/postgresql-common/createcluster.d
    printf '# judgekit: no default cluster at install (scripts/setup/postgres.sh)\ncreate_main_cluster = false\n' \
      > /etc/postgresql-common/createcluster.d/judgekit.conf
  fi
  say "installing Debian's postgresql"
  apt_no_service_start apt_install postgresql
fi
BIN="$(bindir)"
[[ -n "$BIN" ]] || { echo "[postgres setup] no PostgreSQL server binaries after the install" >&2; exit 1; }
say "PostgreSQL: $("$BIN/postgres" --version)"
[[ $action == install ]] && exit 0

as_postgres() { runuser -u postgres -- "$@"; }
running() { [[ -f "$DATA/postmaster.pid" ]] && as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

case "$action" in
  status)
    if running; then say "running on 127.0.0.1:$PORT ($DATA)"; [[ -f $URL_FILE ]] && cat "$URL_FILE"; exit 0; fi
    say "not running ($DATA)"; exit 1 ;;
  stop)
    if running; then as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; say "stopped"; else say "not running"; fi
    exit 0 ;;
esac

# --- start: create the project's cluster once, then start it --------------------------------
if [[ ! -f "$DATA/PG_VERSION" ]]; then
  say "creating the judgekit cluster in $DATA (port $PORT, 127.0.0.1 only)"
  mkdir -p "$DIR" "$RUN"
  chown postgres:postgres "$DIR" "$RUN"
  chmod 700 "$DIR"
  password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)
  pwfile=$(mktemp)
  printf '%s\n' "$password" > "$pwfile"
  chown postgres "$pwfile"
  as_postgres "$BIN/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  cat >> "$DATA/postgresql.conf" <<CONF
# judgekit
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN'
CONF
  first_start=1
else
  first_start=0
fi

if running; then
  say "already running on 127.0.0.1:$PORT"
else
  mkdir -p "$RUN" && chown postgres:postgres "$RUN"
  say "starting on 127.0.0.1:$PORT (log: $LOG)"
  # Started without any inherited lock descriptor, detached from this script.
  as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
fi

if (( first_start )); then
  password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)
  as_postgres "$BIN/psql" -h "$RUN" -p "$PORT" -U postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE judgekit LOGIN PASSWORD '$password'" -c "CREATE DATABASE judgekit OWNER judgekit" >/dev/null
  printf 'postgres://judgekit:%s@127.0.0.1:%s/judgekit\n' "$password" "$PORT" > "$URL_FILE"
  chmod 600 "$URL_FILE"
  say "database judgekit and role judgekit created; the URL is kept in $URL_FILE (root only)"
fi
cat "$URL_FILE"
