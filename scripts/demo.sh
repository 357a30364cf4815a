#!/usr/bin/env bash
# Sets up a Debian machine, builds edgelog (release) and runs the whole pipeline on loopback:
#   generated nginx log -> edgelog-shipper -> edgelog-broker -> edgelog-consumer
#   -> three PostgreSQL shard databases (one local cluster in a temp directory, also holding the
#   coordinator, which sees every shard through postgres_fdw) -> a per-site report read from the
#   coordinator's views. Everything lives in a temp directory and is removed at exit.
# Your own log instead:  ./scripts/demo.sh --log /var/log/nginx/access.log --format combined
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
swift build -c release
bin=.build/release

log="" format="edge" lines=200000
while (($#)); do
  case "$1" in
    --log) log="$2"; shift 2 ;;
    --format) format="$2"; shift 2 ;;
    --lines) lines="$2"; shift 2 ;;
    *) shift ;;
  esac
done

work=$(mktemp -d /tmp/edgelog-demo.XXXXXX)
pids=()
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -f "$work/pg/data/postmaster.pid" ] && "${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$log" ]; then
  log="$work/access.log"
  "$bin/edgelog" generate --format "$format" --lines "$lines" --output "$log" --broken-share 0.001
  echo "generated $lines nginx lines ($format format): $log"
fi
expected=$(wc -l < "$log")

# Prints the value of a Prometheus counter served on 127.0.0.1:$1.
metric() {
  local port=$1 name=$2
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  awk -v n="$name" '$1 == n { print $2 }' <&3
  exec 3<&-
}
# Waits until a process's log shows "key=host:port" and prints the port.
port_from_log() {
  local file=$1 key=$2
  for _ in $(seq 1 200); do
    local port
    port=$(grep -o "$key=[^ ]*:[0-9]*" "$file" 2>/dev/null | head -1 | sed 's/.*://')
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.1
  done
  echo "no $key in $file:" >&2; cat "$file" >&2; return 1
}

"$bin/edgelog-broker" --data-dir "$work/broker" --port 0 --metrics-port 0 --default-partitions 4 \
  2> "$work/broker.log" &
pids+=($!)
broker_port=$(port_from_log "$work/broker.log" "advertised")
echo "broker listening on 127.0.0.1:$broker_port (Kafka protocol; try: kcat -L -b 127.0.0.1:$broker_port)"

"$bin/edgelog-shipper" --files "$log:$format" --broker "127.0.0.1:$broker_port" \
  --checkpoint-dir "$work/checkpoints" --metrics-port 0 2> "$work/shipper.log" &
pids+=($!)
shipper_metrics=$(port_from_log "$work/shipper.log" "metrics.address")

start=$(date +%s.%N)
acked=0
for _ in $(seq 1 600); do
  acked=$(metric "$shipper_metrics" edgelog_shipper_records_acknowledged_total || echo 0)
  acked=${acked%.*}
  [ "${acked:-0}" -ge "$expected" ] && break
  sleep 0.1
done
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "shipper: ${acked:-0} of $expected lines acknowledged by the broker in ${elapsed}s"
stored=$(kcat -C -b "127.0.0.1:$broker_port" -t edgelog.requests -e -q -f '%o\n' 2>/dev/null | wc -l)
echo "broker: $stored records in topic edgelog.requests (lines plus the shipper's per-file control records)"

# PostgreSQL: one throwaway cluster (trust auth on loopback, demo only) with three shard
# databases and the coordinator.
mkdir -p "$work/pg"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/pg" && chmod 755 "$work"
"${as_pg[@]}" "$pgbin/initdb" -D "$work/pg/data" -A trust -U postgres --no-sync -E UTF8 --locale=C >/dev/null
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/postgres.log" -w \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg" start >/dev/null
pg() { psql -X -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$pg_port user=postgres dbname=$1" "${@:2}"; }
for db in shard0 shard1 shard2 coordinator; do pg postgres -c "CREATE DATABASE $db"; done
shards="host=127.0.0.1 port=$pg_port user=postgres dbname=shard0,host=127.0.0.1 port=$pg_port user=postgres dbname=shard1,host=127.0.0.1 port=$pg_port user=postgres dbname=shard2"
coordinator="host=127.0.0.1 port=$pg_port user=postgres dbname=coordinator"
"$bin/edgelog" db init --shards "$shards" --coordinator "$coordinator"
echo "postgres: 3 shard databases and the coordinator on 127.0.0.1:$pg_port (psql \"$coordinator\")"

"$bin/edgelog-consumer" --broker "127.0.0.1:$broker_port" --shards "$shards" --metrics-port 0 \
  2> "$work/consumer.log" &
pids+=($!)
start=$(date +%s.%N)
counted=0
for _ in $(seq 1 900); do
  counted=$(pg coordinator -A -t -c "SELECT coalesce(sum(counted_lines), 0) FROM file_audit_totals" 2>/dev/null || echo 0)
  [ "${counted:-0}" -ge "$expected" ] && break
  sleep 0.2
done
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "consumer: $counted of $expected lines counted in PostgreSQL (exactly once) in ${elapsed}s"
[ "${counted:-0}" -ge "$expected" ] || { echo "consumer did not finish; its log:" >&2; tail -20 "$work/consumer.log" >&2; exit 1; }
echo
echo "top sites (coordinator view minute_site, summed over the 3 shards):"
pg coordinator -c "
  SELECT site, sum(requests) AS requests, pg_size_pretty(sum(body_bytes)) AS bandwidth,
         round(100.0 * sum(cache_hit) / nullif(sum(requests - cache_none), 0), 1) AS \"cache hit %\",
         sum(status_5xx) AS \"5xx\", sum(unparsed) AS unparsed, sum(rejected_late) AS late
  FROM minute_site GROUP BY site ORDER BY sum(requests) DESC LIMIT 10"
pg coordinator -c "
  SELECT to_char(bucket, 'HH24:MI') AS minute, sum(requests) AS requests, pg_size_pretty(sum(body_bytes)) AS bandwidth,
         round(100 * sum(cache_hit)::numeric / nullif(sum(requests - cache_none), 0), 1) AS \"cache hit %\"
  FROM minute_site GROUP BY bucket ORDER BY bucket LIMIT 10"
