#!/usr/bin/env bash
# Sets up a Debian machine, builds edgelog (release) and runs the pipeline as far as it is built
# on generated nginx traffic (or on your own log: ./scripts/demo.sh --log access.log --format combined).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
swift build -c release --product edgelog
exec .build/release/edgelog demo "$@"
