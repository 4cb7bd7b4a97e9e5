#!/usr/bin/env bash
# Install the real S3 servers used by the conformance test suite:
#   - Ceph radosgw (plus ceph-mon / ceph-osd for a throw-away cluster) from Debian's apt repository;
#   - versitygw, built from source with `go install` at a pinned version.
#
# Idempotent: each part is skipped when its binary is already present.
# A failed RGW install is fatal (exit non-zero). A failed versitygw build only
# prints a warning: the versitygw tests are then skipped.
#
# Environment:
#   S3KIT_SERVERS_DIR       state/install root (default /tmp/s3kit-servers)
#   S3KIT_VERSITYGW_BIN_DIR where `go install` puts versitygw (default $S3KIT_SERVERS_DIR/bin)
#   S3KIT_VERSITYGW_VERSION versitygw module version (default v1.8.0)
#
# Go's build and module caches are left at their defaults so CI can reuse them.
set -euo pipefail

SERVERS_DIR="${S3KIT_SERVERS_DIR:-/tmp/s3kit-servers}"
VERSITYGW_BIN_DIR="${S3KIT_VERSITYGW_BIN_DIR:-${SERVERS_DIR}/bin}"
VERSITYGW_VERSION="${S3KIT_VERSITYGW_VERSION:-v1.8.0}"

log() { printf '[install] %s\n' "$*" >&2; }

start_ts=$(date +%s)

# ---------------------------------------------------------------------------
# 1. Ceph radosgw + monitor + OSD (Debian packages). Fatal on failure.
# ---------------------------------------------------------------------------
if command -v radosgw >/dev/null 2>&1 && command -v ceph-mon >/dev/null 2>&1 \
	&& command -v ceph-osd >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 \
	&& command -v curl >/dev/null 2>&1; then
	log "radosgw already installed: $(command -v radosgw)"
else
	log "installing radosgw, ceph-mon, ceph-osd, openssl, curl via apt-get"
	if [[ $(id -u) -ne 0 ]]; then
		log "ERROR: apt-get install needs root"
		exit 1
	fi
	if ! apt-get update -q; then
		log "ERROR: apt-get update failed"
		exit 1
	fi
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		radosgw ceph-mon ceph-osd openssl curl ca-certificates; then
		log "ERROR: apt-get install of radosgw/ceph failed"
		exit 1
	fi
	# The packages may start systemd units on a systemd host; our cluster is
	# fully private (own conf, own ports) so those do not matter.
	command -v radosgw >/dev/null 2>&1 || { log "ERROR: radosgw still missing after install"; exit 1; }
	log "radosgw installed: $(radosgw --version 2>/dev/null | head -n1 || true)"
fi

# ---------------------------------------------------------------------------
# 2. versitygw (go install, pinned). Non-fatal on failure.
# ---------------------------------------------------------------------------
versitygw_bin="${VERSITYGW_BIN_DIR}/versitygw"
if [[ -x "${versitygw_bin}" ]]; then
	log "versitygw already installed: ${versitygw_bin}"
else
	go_cmd="$(command -v go || true)"
	if [[ -z "${go_cmd}" && -x /usr/local/go/bin/go ]]; then
		go_cmd=/usr/local/go/bin/go
	fi
	build_ok=0
	if [[ -n "${go_cmd}" ]]; then
		mkdir -p "${VERSITYGW_BIN_DIR}"
		log "building versitygw ${VERSITYGW_VERSION} into ${VERSITYGW_BIN_DIR} (several minutes when cold)"
		# Run outside any module so the project's go.mod does not interfere.
		if (cd / && GOBIN="${VERSITYGW_BIN_DIR}" "${go_cmd}" install "github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}"); then
			[[ -x "${versitygw_bin}" ]] && build_ok=1
		fi
	else
		log "go toolchain not found"
	fi
	if [[ ${build_ok} -eq 1 ]]; then
		log "versitygw installed: ${versitygw_bin}"
	else
		{
			echo "############################################################"
			echo "WARNING: versitygw could not be built; versitygw tests will be skipped"
			echo "############################################################"
		} >&2
	fi
fi

log "done in $(($(date +%s) - start_ts)) s"
