# Start a throwaway PostgreSQL server on 127.0.0.1 for the tests; sourced by test.sh.
# Sets BOT_TEST_POSTGRES_URL when it is up, and registers cleanup in stop_postgres.

start_postgres() {
  local bin_dir
  bin_dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin_dir" ] || [ ! -x "$bin_dir/initdb" ]; then
    log "PostgreSQL server binaries not found; the PostgreSQL tests will be skipped (install the 'postgresql' package to run them)"
    return 0
  fi
  PG_DIR=$(mktemp -d /tmp/bot-postgres.XXXXXX)
  PG_PORT=$(free_port)
  local as_user=()
  if [ "$(id -u)" = "0" ]; then
    # initdb refuses to run as root.
    chown postgres "$PG_DIR"
    as_user=(runuser -u postgres --)
  fi
  "${as_user[@]}" "$bin_dir/initdb" -D "$PG_DIR/data" -U bot --auth=trust >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  "${as_user[@]}" "$bin_dir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
  PG_BIN_DIR=$bin_dir
  PG_AS_USER=("${as_user[@]}")
  export BOT_TEST_POSTGRES_URL="postgresql+psycopg2://bot@127.0.0.1:${PG_PORT}/postgres"
  log "PostgreSQL running on 127.0.0.1:${PG_PORT}"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_AS_USER[@]}" "$PG_BIN_DIR/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
