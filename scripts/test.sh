#!/usr/bin/env bash
# Sets up a Debian machine and runs every test (unit, interop with capnp/lz4/kcat, integration
# with real PostgreSQL clusters the tests start themselves on ephemeral loopback ports).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
# Build everything first: integration tests start our own executables from .build/debug.
swift build --build-tests
# swift-testing runs tests in parallel inside one process, on Swift's cooperative pool (one
# thread per core: two on CI). That is safe because no test holds a pool thread for long: child
# processes (our servers, kcat, psql, pg_ctl), cluster start and stop, schema installs, HTTP
# probes, metrics scrapes and socket clients wait on threads of their own (PipelineTestSupport's
# OffPool), and sleeps are Task.sleep. What still blocks in place is short: a libpq query, an
# lz4 or capnp run on a few kilobytes. Waits that decide a test's outcome use a manual clock or
# wait for a condition, with deadlines that only bound a failing test. Suites that start
# PostgreSQL clusters or our servers still run one at a time (the `.integration` trait's shared
# lock), alongside the unit tests.
swift test --skip-build "$@"
