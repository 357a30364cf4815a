#!/usr/bin/env bash
# Sets up a Debian machine, builds edgelog (release) and runs the pipeline as far as it is built:
#   generated nginx log -> edgelog-shipper -> edgelog-broker (real processes, loopback TCP)
#   and the per-site report of the same log through parse -> Cap'n Proto -> LZ4 -> decode.
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
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
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
echo

"$bin/edgelog" demo --log "$log" --format "$format" --metrics-port 0 2>/dev/null
