#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: loopback only, a free port, data in a temp directory.
#
#   eval "$(scripts/ci-postgres.sh start)"   # exports TEST_DATABASE_URL and PG_CLUSTER_DIR
#   scripts/ci-postgres.sh stop "$PG_CLUSTER_DIR"
#   scripts/ci-postgres.sh with-cluster <command…>   # runs the command with TEST_DATABASE_URL set,
#                                                   # starting (and then stopping) a cluster if none is set
#
# Uses Debian's binaries (/usr/lib/postgresql/<version>/bin, newest version) unless PG_BIN names a
# directory. Run as root, the cluster runs as the `postgres` user; otherwise as the current user.
set -euo pipefail

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "$dir"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local bin dir port
  bin=$(pg_bin)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/contact-points-pg.XXXXXX")
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # A port can be taken between asking for it and binding it; try a few.
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null 2>&1; then
      echo "export PG_CLUSTER_DIR=$dir"
      echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
      return
    fi
  done
  cat "$dir/server.log" >&2
  exit 1
}

stop() {
  local dir=${1:-${PG_CLUSTER_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then return; fi
  as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

with_cluster() {
  if [[ "${TEST_DATABASE_URL:-}" =~ ^postgres(ql)?:// ]]; then
    "$@"
    return
  fi
  eval "$(start)"
  trap 'stop "$PG_CLUSTER_DIR"' EXIT
  echo "Started a throwaway PostgreSQL cluster: $TEST_DATABASE_URL" >&2
  "$@"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  with-cluster) shift; with_cluster "$@" ;;
  *) echo "usage: $0 start | stop <cluster dir> | with-cluster <command…>" >&2; exit 2 ;;
esac
