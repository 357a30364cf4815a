#!/usr/bin/env bash
# Sets up a Debian machine and runs every test (unit, interop with capnp/lz4/kcat, integration
# with real PostgreSQL clusters the tests start themselves on ephemeral loopback ports).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
# Build everything first: integration tests start our own executables from .build/debug.
swift build --build-tests
swift test --skip-build "$@"
