#!/usr/bin/env bash
# Start the real S3 servers for the conformance tests, all on 127.0.0.1:
#   - a throw-away Ceph cluster (1 monitor, 1 memstore OSD, auth off) and
#     radosgw (beast) on plain HTTP ($S3KIT_RGW_PORT, default 7480) and
#     TLS ($S3KIT_RGW_TLS_PORT, default 7443), with one S3 user;
#   - versitygw (posix backend) on TLS ($S3KIT_VERSITYGW_PORT, default 7070),
#     if install.sh managed to build it.
#
# Idempotent: when everything is already running and answering, it only
# reprints the environment. Otherwise it stops any leftovers and starts fresh.
#
# On success, writes $S3KIT_SERVERS_DIR/env (export lines) and prints the same
# lines on stdout; progress and diagnostics go to stderr. Usage in CI:
#   eval "$(scripts/servers/start.sh)"     or     . "$S3KIT_SERVERS_DIR/env"
#
# RGW failing to start is fatal (exit 1, with log tails). A missing versitygw
# binary only omits its variables, with a warning; a versitygw that fails to
# start is also fatal, since it was expected to work.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${SCRIPT_DIR}/lib.sh"

# Daemons inherit the working directory: do not pin the caller's.
cd /

READY_TIMEOUT="${S3KIT_SERVERS_READY_TIMEOUT:-90}" # seconds, per wait
start_ts="$(now)"

log() { printf '[start] %s\n' "$*" >&2; }

# Locate versitygw: the install dir first, then $PATH.
VERSITYGW_BIN=""
if [[ -x "${VERSITYGW_BIN_DIR}/versitygw" ]]; then
	VERSITYGW_BIN="${VERSITYGW_BIN_DIR}/versitygw"
elif command -v versitygw >/dev/null 2>&1; then
	VERSITYGW_BIN="$(command -v versitygw)"
fi

# print_env: write the env file and echo it on stdout.
print_env() {
	local cert="${TLS_DIR}/cert.pem" tmp
	tmp="${ENV_FILE}.tmp"
	{
		echo "# Written by scripts/servers/start.sh; source it to run the real-server tests."
		printf 'export S3KIT_TEST_RGW_ENDPOINT=%q\n' "http://127.0.0.1:${RGW_PORT}"
		printf 'export S3KIT_TEST_RGW_TLS_ENDPOINT=%q\n' "https://127.0.0.1:${RGW_TLS_PORT}"
		printf 'export S3KIT_TEST_RGW_ACCESS_KEY=%q\n' "${RGW_ACCESS_KEY}"
		printf 'export S3KIT_TEST_RGW_SECRET_KEY=%q\n' "${RGW_SECRET_KEY}"
		printf 'export S3KIT_TEST_RGW_CA=%q\n' "${cert}"
		printf 'export S3KIT_TEST_RGW_REGION=%q\n' "${REGION}"
		echo 'export S3KIT_TEST_RGW_RELAXED_NAMES=1'
		if [[ -n "${VERSITYGW_BIN}" ]]; then
			printf 'export S3KIT_TEST_VERSITYGW_ENDPOINT=%q\n' "https://127.0.0.1:${VERSITYGW_PORT}"
			printf 'export S3KIT_TEST_VERSITYGW_ACCESS_KEY=%q\n' "${VERSITYGW_ACCESS_KEY}"
			printf 'export S3KIT_TEST_VERSITYGW_SECRET_KEY=%q\n' "${VERSITYGW_SECRET_KEY}"
			printf 'export S3KIT_TEST_VERSITYGW_CA=%q\n' "${cert}"
			printf 'export S3KIT_TEST_VERSITYGW_REGION=%q\n' "${REGION}"
		fi
	} >"${tmp}"
	mv -f "${tmp}" "${ENV_FILE}"
	cat "${ENV_FILE}"
}

warn_no_versitygw() {
	{
		echo "############################################################"
		echo "WARNING: versitygw binary not found (run scripts/servers/install.sh);"
		echo "WARNING: S3KIT_TEST_VERSITYGW_* not set, versitygw tests will be skipped"
		echo "############################################################"
	} >&2
}

# healthy: every expected process is alive and answering.
healthy() {
	[[ -s "${ENV_FILE}" && -s "${TLS_DIR}/cert.pem" ]] || return 1
	local p
	for p in ceph-mon ceph-osd radosgw; do pid_alive "${p}" || return 1; done
	# A server started by an older version of this script lacks settings
	# the tests rely on; restart it.
	grep -q 'rgw relaxed s3 bucket names = true' "${CEPH_CONF_FILE}" 2>/dev/null || return 1
	http_up "http://127.0.0.1:${RGW_PORT}/" || return 1
	http_up "https://127.0.0.1:${RGW_TLS_PORT}/" || return 1
	if [[ -n "${VERSITYGW_BIN}" ]]; then
		pid_alive versitygw || return 1
		http_up "https://127.0.0.1:${VERSITYGW_PORT}/" || return 1
		# An env file written while versitygw was missing lacks its lines.
		grep -q S3KIT_TEST_VERSITYGW_ENDPOINT "${ENV_FILE}" || return 1
	fi
	return 0
}

# dump_logs: print the tail of every log we have, for a failed start.
dump_logs() {
	local f
	for f in "${LOG_DIR}"/*; do
		[[ -f "${f}" ]] || continue
		echo "----- tail -n 40 ${f} -----" >&2
		tail -n 40 "${f}" >&2 || true
	done
}

# fail MSG: report, dump logs, stop what we started (keeping run/ and its logs
# for inspection; the next start.sh or stop.sh removes them) and exit 1.
fail() {
	log "ERROR: $*"
	dump_logs
	"${SCRIPT_DIR}/stop.sh" --keep-data >&2 || true
	log "logs kept in ${LOG_DIR}"
	exit 1
}

# spawn NAME LOGFILE CMD...: start CMD in the background in its own session
# (so it outlives the calling shell and its signals), record its PID.
spawn() {
	local name="$1" logfile="$2"
	shift 2
	local pid i
	setsid "$@" </dev/null >>"${logfile}" 2>&1 &
	pid="$!"
	echo "${pid}" >"${PID_DIR}/${name}.pid"
	# setsid execs the command in the same process; wait (briefly) for the
	# exec so that pid_alive, which checks the executable's name, holds.
	for ((i = 0; i < 50; i++)); do
		[[ "$(readlink "/proc/${pid}/exe" 2>/dev/null || true)" == */setsid ]] || break
		sleep 0.02
	done
}

# wait_for DESC CHECK...: poll CHECK every 0.2 s until it succeeds, or fail
# after $READY_TIMEOUT seconds. Also fails early when PROC (if set) dies.
wait_for() {
	local desc="$1" proc="$2"
	shift 2
	local deadline=$((SECONDS + READY_TIMEOUT))
	until "$@" >/dev/null 2>&1; do
		if [[ -n "${proc}" ]] && ! pid_alive "${proc}"; then
			fail "${proc} exited while waiting for ${desc}"
		fi
		if ((SECONDS >= deadline)); then
			fail "timed out after ${READY_TIMEOUT} s waiting for ${desc}"
		fi
		sleep 0.2
	done
}

# ceph_cli ARGS...: the ceph CLI against our private cluster, bounded in time.
ceph_cli() {
	timeout 20 ceph --cluster "${CEPH_CLUSTER_NAME}" -c "${CEPH_CONF_FILE}" \
		--connect-timeout 15 "$@"
}

# ---------------------------------------------------------------------------
# Warm path: already running.
# ---------------------------------------------------------------------------
if healthy; then
	log "servers already running and healthy (state in ${SERVERS_DIR})"
	[[ -n "${VERSITYGW_BIN}" ]] || warn_no_versitygw
	print_env
	log "ready in $(elapsed "${start_ts}") s (already running)"
	exit 0
fi

# ---------------------------------------------------------------------------
# Cold path: clean up leftovers, check prerequisites.
# ---------------------------------------------------------------------------
if [[ -d "${RUN_DIR}" || -e "${ENV_FILE}" ]]; then
	log "stale or partial state found; stopping leftovers first"
	"${SCRIPT_DIR}/stop.sh" >&2
	log "leftovers stopped after $(elapsed "${start_ts}") s (included in the times below)"
fi

for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool ceph-authtool openssl curl setsid; do
	command -v "${bin}" >/dev/null 2>&1 || {
		log "ERROR: ${bin} not found; run scripts/servers/install.sh first"
		exit 1
	}
done

ports=("${RGW_PORT}" "${RGW_TLS_PORT}" "${CEPH_MON_PORT}")
[[ -n "${VERSITYGW_BIN}" ]] && ports+=("${VERSITYGW_PORT}")
for port in "${ports[@]}"; do
	if port_busy "${port}"; then
		log "ERROR: port 127.0.0.1:${port} is already in use by another process"
		exit 1
	fi
done

mkdir -p "${PID_DIR}" "${LOG_DIR}" "${TLS_DIR}" "${CEPH_DIR}"/{mon,osd,rgw,run,crash}

# ---------------------------------------------------------------------------
# Self-signed certificate for 127.0.0.1 (also serves as its own CA).
# ---------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	-keyout "${TLS_DIR}/key.pem" -out "${TLS_DIR}/cert.pem" \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	>"${LOG_DIR}/openssl.log" 2>&1 || fail "openssl could not create the certificate"
chmod 600 "${TLS_DIR}/key.pem"

# ---------------------------------------------------------------------------
# Ceph configuration. Every path ceph would default to /etc/ceph,
# /var/lib/ceph, /var/run/ceph or /var/log/ceph is pointed at $CEPH_DIR or
# $LOG_DIR instead.
# ---------------------------------------------------------------------------
fsid="$(cat /proc/sys/kernel/random/uuid)"
cat >"${CEPH_CONF_FILE}" <<EOF
# Generated by scripts/servers/start.sh: a throw-away single-node cluster.
[global]
fsid = ${fsid}
mon initial members = a
mon host = [v2:127.0.0.1:${CEPH_MON_PORT}]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind ipv4 = true
ms bind ipv6 = false
ms bind msgr1 = false
ms bind port min = ${CEPH_BIND_PORT_MIN}
ms bind port max = ${CEPH_BIND_PORT_MAX}

# No cephx. With auth off, msgr2 must prefer crc mode: the default
# "secure crc" makes clients (radosgw) hang for 300 s and give up.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
ms client mode = crc secure
ms mon cluster mode = crc secure
ms mon service mode = crc secure
ms cluster mode = crc secure
ms service mode = crc secure

# One OSD holding one copy of everything, with few PGs.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon max pg per osd = 1000
mon allow pool delete = true

# Keep every file under the state dir. Admin sockets default to \$run_dir.
run dir = ${CEPH_DIR}/run
keyring = ${CEPH_DIR}/keyring
log file = ${LOG_DIR}/\$cluster-\$name.log
mon cluster log file = ${LOG_DIR}/\$cluster-cluster.\$channel.log
crash dir = ${CEPH_DIR}/crash
mon data = ${CEPH_DIR}/mon/\$cluster-\$id
osd data = ${CEPH_DIR}/osd/\$cluster-\$id
osd journal = ${CEPH_DIR}/osd/\$cluster-\$id/journal
rgw data = ${CEPH_DIR}/rgw/\$cluster-\$id
mgr data = ${CEPH_DIR}/mgr/\$cluster-\$id
log to stderr = false
err to stderr = true
debug ms = 0

[mon]
# Commit map changes quickly: with the default 1 s propose interval each pool
# radosgw creates costs about a second.
paxos propose interval = 0.05
paxos min wait = 0.01
mon data avail warn = 1
mon data avail crit = 0
mon osd down out interval = 0

[osd]
osd objectstore = memstore
# Reported capacity of the in-memory store (RAM is only used for what is stored).
memstore device bytes = ${S3KIT_CEPH_MEMSTORE_BYTES:-8589934592}
osd crush update on start = true

[client.rgw.s3kit]
rgw frontends = beast endpoint=127.0.0.1:${RGW_PORT} ssl_endpoint=127.0.0.1:${RGW_TLS_PORT} ssl_certificate=${TLS_DIR}/cert.pem ssl_private_key=${TLS_DIR}/key.pem
rgw thread pool size = 64
# Free the space of deleted objects within seconds instead of hours: the
# memstore OSD holds everything in memory, and the history test deletes and
# rewrites much more than it keeps. A full OSD blocks every write.
rgw gc obj min wait = 0
rgw gc processor period = 10
rgw gc processor max time = 10
# Accept the legacy bucket names Dell ECS accepts (upper case, '_'), so the
# conformance suite can try s3kit's WithRelaxedBucketNames.
rgw relaxed s3 bucket names = true
EOF
# Every ceph tool below also gets --cluster/-c; CEPH_CONF is a safety net for
# anything that does not.
export CEPH_CONF="${CEPH_CONF_FILE}"
ceph_common=(--cluster "${CEPH_CLUSTER_NAME}" -c "${CEPH_CONF_FILE}")

# A keyring is not used with auth off, but mon --mkfs wants one.
ceph-authtool "${ceph_common[@]}" --create-keyring "${CEPH_DIR}/keyring" --gen-key -n mon. \
	--cap mon 'allow *' >"${LOG_DIR}/bootstrap.log" 2>&1 || fail "ceph-authtool failed"
monmaptool "${ceph_common[@]}" --create --fsid "${fsid}" \
	--addv a "[v2:127.0.0.1:${CEPH_MON_PORT}]" "${CEPH_DIR}/monmap" \
	>>"${LOG_DIR}/bootstrap.log" 2>&1 || fail "monmaptool failed"

# ---------------------------------------------------------------------------
# Monitor.
# ---------------------------------------------------------------------------
ceph-mon "${ceph_common[@]}" --mkfs -i a --monmap "${CEPH_DIR}/monmap" \
	--keyring "${CEPH_DIR}/keyring" >>"${LOG_DIR}/bootstrap.log" 2>&1 || fail "ceph-mon --mkfs failed"
spawn ceph-mon "${LOG_DIR}/ceph-mon.out" ceph-mon "${ceph_common[@]}" -f -i a
log "ceph-mon started (pid $(<"${PID_DIR}/ceph-mon.pid"))"
wait_for "the ceph monitor" ceph-mon ceph_cli mon stat

# ---------------------------------------------------------------------------
# OSD (memstore: objects live in RAM, nothing to format on disk).
# ---------------------------------------------------------------------------
osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
osd_id="$(ceph_cli osd new "${osd_uuid}" 2>>"${LOG_DIR}/bootstrap.log")" || fail "ceph osd new failed"
mkdir -p "${CEPH_DIR}/osd/${CEPH_CLUSTER_NAME}-${osd_id}"
ceph-osd "${ceph_common[@]}" -i "${osd_id}" --mkfs --osd-uuid "${osd_uuid}" \
	>>"${LOG_DIR}/bootstrap.log" 2>&1 || fail "ceph-osd --mkfs failed"
spawn ceph-osd "${LOG_DIR}/ceph-osd.out" ceph-osd "${ceph_common[@]}" -f -i "${osd_id}"
log "ceph-osd.${osd_id} started (pid $(<"${PID_DIR}/ceph-osd.pid"))"

# ---------------------------------------------------------------------------
# radosgw. It creates its pools itself and waits for the OSD, so it can start
# right away; we poll its ports below.
# ---------------------------------------------------------------------------
spawn radosgw "${LOG_DIR}/radosgw.out" radosgw "${ceph_common[@]}" -f -n client.rgw.s3kit
log "radosgw started (pid $(<"${PID_DIR}/radosgw.pid"))"

# ---------------------------------------------------------------------------
# versitygw (posix backend), while radosgw initialises.
# ---------------------------------------------------------------------------
if [[ -n "${VERSITYGW_BIN}" ]]; then
	mkdir -p "${VERSITYGW_DATA_DIR}"
	spawn versitygw "${LOG_DIR}/versitygw.log" "${VERSITYGW_BIN}" \
		--port "127.0.0.1:${VERSITYGW_PORT}" \
		--access "${VERSITYGW_ACCESS_KEY}" --secret "${VERSITYGW_SECRET_KEY}" \
		--region "${REGION}" \
		--cert "${TLS_DIR}/cert.pem" --key "${TLS_DIR}/key.pem" \
		posix "${VERSITYGW_DATA_DIR}"
	log "versitygw started (pid $(<"${PID_DIR}/versitygw.pid"))"
else
	warn_no_versitygw
fi

wait_for "ceph-osd to be up" ceph-osd bash -c \
	"ceph --cluster '${CEPH_CLUSTER_NAME}' -c '${CEPH_CONF_FILE}' --connect-timeout 10 osd stat -f json | grep -q '\"num_up_osds\":1'"
log "ceph-osd up after $(elapsed "${start_ts}") s"
wait_for "radosgw on http://127.0.0.1:${RGW_PORT}" radosgw http_up "http://127.0.0.1:${RGW_PORT}/"
wait_for "radosgw on https://127.0.0.1:${RGW_TLS_PORT}" radosgw http_up "https://127.0.0.1:${RGW_TLS_PORT}/"
log "radosgw answering after $(elapsed "${start_ts}") s"

# The S3 user with fixed keys.
radosgw-admin "${ceph_common[@]}" user create \
	--uid s3kit --display-name "s3kit tests" \
	--access-key "${RGW_ACCESS_KEY}" --secret-key "${RGW_SECRET_KEY}" \
	>"${LOG_DIR}/radosgw-admin.out" 2>&1 || fail "radosgw-admin user create failed"

if [[ -n "${VERSITYGW_BIN}" ]]; then
	wait_for "versitygw on https://127.0.0.1:${VERSITYGW_PORT}" versitygw \
		http_up "https://127.0.0.1:${VERSITYGW_PORT}/"
fi

print_env
log "all servers ready in $(elapsed "${start_ts}") s; env file: ${ENV_FILE}"
