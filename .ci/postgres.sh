# Sourced by .ci/run (bash): a throwaway PostgreSQL server for the storage and dispatcher tests.
# pg_up installs Debian's `postgresql` if missing (as root, with apt), initdb's a cluster in a
# temporary folder owned by the `postgres` user (initdb refuses to run as root), starts it on
# 127.0.0.1 on a free port with password authentication, creates role and database `bot`, and
# exports TEST_DATABASE_URL. pg_down stops it and removes the folder (.ci/run traps EXIT).

pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

pg_up() {
  local bin port owner
  bin=$(pg_bindir || true)
  if [ -z "$bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
      || echo "could not install postgresql" >&2
    bin=$(pg_bindir || true)
  fi
  if [ -z "$bin" ]; then
    echo "no PostgreSQL server binaries (Debian's postgresql package): the PostgreSQL tests cannot run" >&2
    return 1
  fi
  # Debian's package starts a cluster of its own on 5432: ours is separate, on a free port.
  PG_BIN=$bin
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  PG_DIR=$(mktemp -d /tmp/ci-postgres.XXXXXX)
  owner=$(id -un)
  if [ "$(id -u)" = 0 ]; then owner=postgres; chown postgres: "$PG_DIR"; fi
  pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  PG_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/pw" && chmod 600 "$PG_DIR/pw" && chown "$owner" "$PG_DIR/pw"
  pg_as "$bin/initdb" -D "$PG_DIR/data" -U "$owner" --pwfile="$PG_DIR/pw" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  pg_as "$bin/psql" -h "$PG_DIR" -p "$port" -U "$owner" -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE bot LOGIN PASSWORD '$PG_PASSWORD'" -c "CREATE DATABASE bot OWNER bot" >/dev/null || return 1
  export TEST_DATABASE_URL="postgresql://bot:$PG_PASSWORD@127.0.0.1:$port/bot"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (database bot)"
}

pg_down() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    else
      "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
  fi
  [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
  PG_DIR=
}
