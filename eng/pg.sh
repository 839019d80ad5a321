#!/usr/bin/env bash
# Private PostgreSQL clusters for development and tests, TCP on 127.0.0.1 only.
#   eng/pg.sh bindir                 print the server binaries' folder (installs Debian's postgresql as root when missing)
#   eng/pg.sh start DIR PORT         create the cluster in DIR on first use, start it on PORT, print its connection string
#   eng/pg.sh stop DIR [MODE]        stop it (MODE: fast by default, or immediate)
#   eng/pg.sh status DIR             exit 0 when it runs
# Exit codes of start: 3 no server binaries, 4 DIR unreachable for the postgres user, 5 initdb failed,
# 6 the server did not start (its log's tail on stderr), 7 PORT is taken by something else.
# As root the server runs as the 'postgres' user (PostgreSQL refuses root); otherwise as the caller.
# SITUK_PG_FSYNC=off skips fsync (throw-away clusters); SITUK_PG_OPTIONS adds server settings to start,
# e.g. "-c shared_preload_libraries=pg_stat_statements" for the bench's statement breakdown.
set -euo pipefail

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return 0
  fi
  return 1
}

bindir() {
  if find_bindir; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL server binaries not found: installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    find_bindir && return 0
  fi
  cat >&2 <<MSG
PostgreSQL server binaries (initdb, pg_ctl) were not found.
Install them, then run this again:
  Debian/Ubuntu:  sudo apt-get install -y postgresql
  Fedora:         sudo dnf install -y postgresql-server
  macOS:          brew install postgresql@15
Or point the tests at a server you run yourself: SITUK_TEST_DB='Host=...;Port=...;Username=...;Password=...'
MSG
  exit 3
}

# Run a PostgreSQL command as the user that owns the cluster.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir=$1 port=$2 bin
  bin=$(bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres: "$dir"
    chmod 0700 "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      echo "The postgres user cannot reach $dir (a folder above it is closed to others); use a folder under /tmp." >&2
      exit 4
    fi
  fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --no-locale >"$dir.initdb.log" 2>&1 ||
      { cat "$dir.initdb.log" >&2; exit 5; }
  fi
  if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    return 0
  fi
  if port_taken "$port"; then
    echo "Port $port on 127.0.0.1 is already in use (another PostgreSQL, perhaps another checkout's Up); the cluster in $dir was not started." >&2
    exit 7
  fi
  local log="$dir/server.log"
  as_owner touch "$log"
  local from
  from=$(wc -l <"$log")
  as_owner "$bin/pg_ctl" -D "$dir" -l "$log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300 -c fsync=${SITUK_PG_FSYNC:-on} ${SITUK_PG_OPTIONS:-}" \
    start >/dev/null || {
      echo "PostgreSQL did not start on 127.0.0.1:$port; the end of $log says:" >&2
      tail -n "+$((from + 1))" "$log" | tail -n 30 >&2
      # Taken between the check above and the server's bind.
      if tail -n "+$((from + 1))" "$log" | grep -q "Address already in use"; then exit 7; fi
      exit 6
    }
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

# True when something accepts connections on 127.0.0.1:PORT (bash's /dev/tcp; no extra tools needed).
port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop() {
  local dir=$1 mode=${2:-fast} bin
  bin=$(bindir)
  [ -f "$dir/PG_VERSION" ] || return 0
  if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$dir" -m "$mode" -w -t 60 stop >/dev/null
  fi
}

status() {
  local bin
  bin=$(bindir)
  as_owner "$bin/pg_ctl" -D "$1" status >/dev/null 2>&1
}

cmd=${1:-}
shift || true
case "$cmd" in
  bindir) bindir ;;
  start) [ $# -ge 2 ] || { echo "usage: $0 start DIR PORT" >&2; exit 2; }; start "$1" "$2" ;;
  stop) [ $# -ge 1 ] || { echo "usage: $0 stop DIR [fast|immediate]" >&2; exit 2; }; stop "$@" ;;
  status) [ $# -ge 1 ] || { echo "usage: $0 status DIR" >&2; exit 2; }; status "$1" ;;
  *) echo "usage: $0 bindir | start DIR PORT | stop DIR [MODE] | status DIR" >&2; exit 2 ;;
esac
