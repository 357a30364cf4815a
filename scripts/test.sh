#!/usr/bin/env bash
# Sets up a Debian machine and runs every test (unit, interop with capnp/lz4/kcat, integration
# with real PostgreSQL clusters the tests start themselves on ephemeral loopback ports).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
# Build everything first: integration tests start our own executables from .build/debug.
swift build --build-tests
# --no-parallel: several suites make blocking calls (child processes, sockets, sleeps) from test
# functions, which run on Swift's cooperative pool; with 2 cores, two of them at once starve
# every other test's timers. Serially the whole suite takes about 90 s.
swift test --skip-build --no-parallel "$@"
