#!/usr/bin/env bash
# Installs the Debian packages edgelog builds and tests against. Idempotent.
# The Swift 6 toolchain itself is expected on PATH (https://www.swift.org/install/linux/).
set -euo pipefail

packages=(
  liblz4-dev     # CLZ4: LZ4 frame compression
  libpq-dev      # CLibPQ: PostgreSQL client library
  pkgconf
  capnproto      # capnp: interop tests decode what we encode
  lz4            # lz4 CLI: interop tests for LZ4 frames
  postgresql     # server binaries for the test clusters and the demo shards
  postgresql-15-hll  # the hll extension: unique client IPs per (minute, site)
  kcat           # librdkafka client: interop tests against the broker
  nginx          # the end-to-end test runs Debian's real nginx in front of the pipeline
  logrotate      # deploy/logrotate/nginx is tested with the real logrotate against nginx
  chromium       # headless: the HTML report is rendered in a real browser in a test
  python3-prometheus-client  # the Prometheus project's parser reads every process's /metrics in a test
  python3-confluent-kafka    # librdkafka's AdminClient creates and deletes topics on the broker in a test
  python3-kafka              # kafka-python 2.0.2 produces zstd and consumes against the broker in a test
  python3-zstandard          # the zstd codec kafka-python imports (`import zstandard`)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null || { echo "swift not found: install the Swift 6 toolchain first" >&2; exit 1; }
