#!/usr/bin/env bash
# The layout of docs/scaling.md on one machine, from the same binaries production uses:
# a MariaDB primary and a GTID replica, Redis, two API hosts (gunicorn) behind nginx, and
# two schedulers collecting the simulated feeds. For trying the layout, and for measuring
# it (docs/scaling.md, "One machine, the whole layout").
#
#   deploy/cluster/cluster.sh up       # build and start everything under $HOS_CLUSTER_ROOT
#   deploy/cluster/cluster.sh status   # health through nginx, replication, processes
#   deploy/cluster/cluster.sh down     # stop everything (the data stays until `clean`)
#   deploy/cluster/cluster.sh clean    # down, then delete $HOS_CLUSTER_ROOT
#
# Needs: mariadb-server, redis-server and nginx (Debian packages), and the project's
# virtualenv (`make install`). Every process listens on 127.0.0.1 only.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
ROOT="${HOS_CLUSTER_ROOT:-/tmp/hos-cluster}"
HOS="${HOS_BIN:-$REPO/.venv/bin/hallofshame}"
DAYS="${HOS_CLUSTER_DAYS:-14}"   # simulated history loaded on the primary at `up`
PRIMARY_PORT="${HOS_CLUSTER_PRIMARY_PORT:-3406}"
REPLICA_PORT="${HOS_CLUSTER_REPLICA_PORT:-3407}"
REDIS_PORT="${HOS_CLUSTER_REDIS_PORT:-6390}"
API_PORTS=("${HOS_CLUSTER_API1_PORT:-8101}" "${HOS_CLUSTER_API2_PORT:-8102}")
PROXY_PORT="${HOS_CLUSTER_PROXY_PORT:-8100}"
DB=hallofshame
# Proxies believed in front of the API hosts: 1 (this nginx). A load generator that plays
# each visitor with an X-Forwarded-For of its own (bench/load.py) stands for one hop more:
# HOS_CLUSTER_TRUSTED_PROXIES=2, so the rate limit counts its visitors, not the generator.

say() { echo "cluster: $*"; }

wait_for() {  # what, command: up to 60 s
  for _ in $(seq 1 120); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  say "$1 did not come up (logs in $ROOT)" >&2
  return 1
}

sql() {  # port, statement
  mariadb --no-defaults -h 127.0.0.1 -P "$1" -u root -N -e "$2"
}

start_mariadb() {  # name, port, extra server options…
  local name=$1 port=$2
  shift 2
  local dir="$ROOT/$name"
  if [ ! -d "$dir/data" ]; then
    mkdir -p "$dir/tmp"
    mariadb-install-db --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" \
      --auth-root-authentication-method=normal --skip-test-db --user=root >"$dir/init.log" 2>&1
  fi
  /usr/sbin/mariadbd --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --user=root \
    --port="$port" --socket="$dir/mysql.sock" --bind-address=127.0.0.1 \
    --pid-file="$dir/mariadbd.pid" --innodb-buffer-pool-size=512M "$@" >>"$dir/server.log" 2>&1 &
  wait_for "MariaDB $name" "sql $port 'SELECT 1'"
}

# What every product process of the layout reads: the primary for writes and jobs, the
# replica for the API's reads, the shared cache, the proxy's one forwarded hop.
write_env() {
  cat >"$ROOT/hallofshame.env" <<EOF
HOS_DATABASE_URL=mysql+pymysql://root@127.0.0.1:$PRIMARY_PORT/$DB
HOS_READ_DATABASE_URL=mysql+pymysql://root@127.0.0.1:$REPLICA_PORT/$DB
HOS_CACHE_URL=redis://127.0.0.1:$REDIS_PORT/0
HOS_DATA_DIR=$ROOT/data
HOS_TRUSTED_PROXIES=${HOS_CLUSTER_TRUSTED_PROXIES:-1}
HOS_ENV=production
HOS_SLOW_QUERY_MS=600000
EOF
}

product() {  # name, command…: a product process in the background, its pid kept
  local name=$1
  shift
  (
    set -a
    # shellcheck disable=SC1091
    . "$ROOT/hallofshame.env"
    export HOS_INSTANCE="$name"
    exec "$HOS" "$@"
  ) >>"$ROOT/$name.log" 2>&1 &
  echo $! >"$ROOT/$name.pid"
}

write_nginx() {
  mkdir -p "$ROOT/nginx/logs"
  sed -e "s|@PROXY_PORT@|$PROXY_PORT|g" -e "s|@ROOT@|$ROOT|g" \
    -e "s|@API1@|${API_PORTS[0]}|g" -e "s|@API2@|${API_PORTS[1]}|g" \
    "$HERE/nginx.conf.in" >"$ROOT/nginx/nginx.conf"
}

up() {
  for tool in mariadb-install-db redis-server nginx; do
    command -v "$tool" >/dev/null || { say "$tool is missing (apt-get install mariadb-server redis-server nginx)" >&2; exit 1; }
  done
  [ -x "$HOS" ] || { say "no $HOS: run make install first" >&2; exit 1; }
  mkdir -p "$ROOT/data"
  start_mariadb primary "$PRIMARY_PORT" --server-id=1 --log-bin=primary-bin --binlog-format=ROW
  start_mariadb replica "$REPLICA_PORT" --server-id=2 --read-only=1
  if [ -z "$(sql "$REPLICA_PORT" "SHOW SLAVE STATUS")" ]; then
    sql "$REPLICA_PORT" "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PRIMARY_PORT,
      MASTER_USER='root', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1"
  fi
  sql "$REPLICA_PORT" "START SLAVE"
  sql "$PRIMARY_PORT" "CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --pidfile "$ROOT/redis.pid" --logfile "$ROOT/redis.log"
  wait_for Redis "redis-cli -p $REDIS_PORT ping"
  write_env
  (set -a; . "$ROOT/hallofshame.env"; "$HOS" db upgrade) >>"$ROOT/setup.log" 2>&1
  if [ "$(sql "$PRIMARY_PORT" "SELECT COUNT(*) FROM $DB.cycles")" = "0" ]; then
    say "simulating $DAYS days of history on the primary (once)…"
    (set -a; . "$ROOT/hallofshame.env"; "$HOS" simulate --days "$DAYS") >>"$ROOT/setup.log" 2>&1
  fi
  product api1 serve --host 127.0.0.1 --port "${API_PORTS[0]}" --workers 2
  product api2 serve --host 127.0.0.1 --port "${API_PORTS[1]}" --workers 2
  product scheduler1 scheduler --source sim
  product scheduler2 scheduler --source sim
  for port in "${API_PORTS[@]}"; do
    wait_for "API on $port" "curl -sf http://127.0.0.1:$port/api/health"
  done
  write_nginx
  nginx -c "$ROOT/nginx/nginx.conf" -p "$ROOT/nginx"
  wait_for nginx "curl -sf http://127.0.0.1:$PROXY_PORT/api/health"
  say "up: http://127.0.0.1:$PROXY_PORT/ (API hosts ${API_PORTS[*]}, primary $PRIMARY_PORT, replica $REPLICA_PORT, Redis $REDIS_PORT)"
}

status() {
  curl -s "http://127.0.0.1:$PROXY_PORT/api/health" | python3 -m json.tool || say "proxy not answering"
  mariadb --no-defaults -h 127.0.0.1 -P "$REPLICA_PORT" -u root -e "SHOW SLAVE STATUS\G" 2>/dev/null \
    | grep -E "Slave_(IO|SQL)_Running:|Seconds_Behind" || say "replica not answering"
  for name in api1 api2 scheduler1 scheduler2; do
    if [ -f "$ROOT/$name.pid" ] && kill -0 "$(cat "$ROOT/$name.pid")" 2>/dev/null; then
      say "$name running (pid $(cat "$ROOT/$name.pid"))"
    else
      say "$name not running"
    fi
  done
}

stop_pid() {  # pid file
  if [ -f "$1" ]; then
    kill "$(cat "$1")" 2>/dev/null || true
    rm -f "$1"
  fi
}

down() {
  [ -f "$ROOT/nginx/nginx.conf" ] && nginx -c "$ROOT/nginx/nginx.conf" -p "$ROOT/nginx" -s stop 2>/dev/null || true
  for name in scheduler1 scheduler2 api1 api2; do stop_pid "$ROOT/$name.pid"; done
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  stop_pid "$ROOT/replica/mariadbd.pid"
  stop_pid "$ROOT/primary/mariadbd.pid"
  sleep 2
  say "down"
}

case "${1:-}" in
  up) up ;;
  status) status ;;
  down) down ;;
  clean) down; rm -rf "$ROOT" ;;
  *) echo "usage: $0 up|status|down|clean" >&2; exit 2 ;;
esac
