#!/bin/sh
# Starts a throwaway PostgreSQL cluster for the tests and prints its URL.
#
#   tests/pg-cluster.sh DIR PORT WATCH_PID
#   tests/pg-cluster.sh --replica-of PRIMARY_PORT DIR PORT WATCH_PID
#   tests/pg-cluster.sh --ssl CERT_FILE KEY_FILE DIR PORT WATCH_PID
#
# The cluster lives in DIR (created; must not exist), listens on 127.0.0.1:PORT only,
# trusts local connections (user `hearth`, a superuser), and is tuned for speed over
# crash safety (fsync off): tests restart Hearth, never PostgreSQL. When the process
# WATCH_PID ends, the cluster is stopped and DIR removed.
#
# PostgreSQL's binaries are looked up on PATH, then in /usr/lib/postgresql/*/bin
# (Debian's `postgresql` package). initdb refuses to run as root; as root the cluster
# runs as the `postgres` user the package creates.
# With --replica-of, DIR becomes a streaming hot standby of the cluster on PRIMARY_PORT
# (pg_basebackup -R), for tests of read replicas.
# With --durable, PostgreSQL keeps its default crash safety (fsync, synchronous_commit,
# full_page_writes on), for benchmarks that should see what a production server pays.
# With --ssl, the cluster serves TLS with that certificate and key (PEM files, copied into
# DIR) and refuses TCP connections without TLS, for tests of encrypted connections.
set -eu
primary= cert= key= speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
while :; do
    case "$1" in
    --durable) speed=; shift ;;
    --replica-of) primary=$2; shift 2 ;;
    --ssl) cert=$2 key=$3; shift 3 ;;
    *) break ;;
    esac
done
dir=$1 port=$2 watch=$3

bindir=
if command -v initdb >/dev/null 2>&1; then
    bindir=$(dirname "$(readlink -f "$(command -v initdb)")")
else
    for candidate in /usr/lib/postgresql/*/bin; do
        [ -x "$candidate/initdb" ] && bindir=$candidate
    done
fi
if [ -z "$bindir" ]; then
    echo "PostgreSQL is not installed (no initdb); on Debian: apt-get install postgresql" >&2
    exit 1
fi

as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "running as root needs the 'postgres' user to own the test cluster" >&2
        exit 1
    fi
    as_owner() { runuser -u postgres -- "$@"; }
fi

mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
if [ -n "$primary" ]; then
    as_owner "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary" -U hearth -D "$dir/data" -R -X stream -c fast >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
else
    as_owner "$bindir/initdb" -D "$dir/data" -U hearth --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
fi
ssl_options=
if [ -n "$cert" ]; then
    # PostgreSQL refuses a key that its group or others may read.
    cp "$cert" "$dir/server.crt"
    cp "$key" "$dir/server.key"
    chmod 0600 "$dir/server.key"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/server.crt" "$dir/server.key"
    ssl_options="-c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
    # Over TCP, TLS or nothing (still trusted, as above); the Unix socket stays open.
    cat >"$dir/data/pg_hba.conf" <<EOF
local all all trust
hostssl all all 127.0.0.1/32 trust
hostssl replication all 127.0.0.1/32 trust
hostnossl all all 127.0.0.1/32 reject
hostnossl replication all 127.0.0.1/32 reject
EOF
fi
as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=400 $speed -c shared_buffers=64MB $ssl_options" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

# The watchdog: stop the cluster when the test process is gone.
nohup sh -c "while kill -0 $watch 2>/dev/null; do sleep 1; done
    $( [ "$(id -u)" = 0 ] && echo 'runuser -u postgres --' ) '$bindir/pg_ctl' -D '$dir/data' -m immediate stop >/dev/null 2>&1
    rm -rf '$dir'" >/dev/null 2>&1 &

echo "postgres://hearth@127.0.0.1:$port/postgres"
