#!/usr/bin/env bash
# Build the MinIO server that scripts/bench.sh can run against
# (BENCH_SERVER=minio), from the Go module proxy at a pinned version.
# About 9 minutes and 150 MB cold; skipped when the binary is present.
#
#   scripts/servers/install-minio.sh            # build into $S3KIT_SERVERS_DIR/bin
#   scripts/servers/install-minio.sh --version  # print the pinned version
#
# MinIO publishes no semantic versions to the module proxy, so the pin is the
# proxy's pseudo-version of the last upstream commit (February 2026; upstream
# is no longer maintained).
set -euo pipefail

MINIO_VERSION="${S3KIT_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
if [[ ${1:-} == --version ]]; then
	echo "$MINIO_VERSION"
	exit 0
fi
BIN_DIR="${S3KIT_SERVERS_DIR:-/tmp/s3kit-servers}/bin"
if [[ -x $BIN_DIR/minio ]]; then
	echo "[install-minio] already built: $BIN_DIR/minio" >&2
	exit 0
fi
mkdir -p "$BIN_DIR"
echo "[install-minio] building github.com/minio/minio@$MINIO_VERSION into $BIN_DIR (about 9 minutes)" >&2
GOBIN="$BIN_DIR" go install "github.com/minio/minio@$MINIO_VERSION"
