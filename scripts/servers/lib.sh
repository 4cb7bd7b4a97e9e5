# shellcheck shell=bash
# shellcheck disable=SC2034 # variables are used by the scripts that source this file
# Shared settings for scripts/servers/{start,stop}.sh. Sourced, not executed.
#
# Every path a server writes to lives under $S3KIT_SERVERS_DIR:
#   $S3KIT_SERVERS_DIR/bin/        versitygw binary (install.sh; kept by stop.sh)
#   $S3KIT_SERVERS_DIR/env         export lines for the test suite (removed by stop.sh)
#   $S3KIT_SERVERS_DIR/run/        all runtime data (removed by stop.sh):
#       tls/   self-signed cert.pem / key.pem for 127.0.0.1
#       pids/  one PID file per process we started
#       logs/  daemon logs
#       ceph/  ceph.conf, keyring, monmap, mon/osd/rgw data, admin sockets
#       versitygw/  posix backend data

SERVERS_DIR="${S3KIT_SERVERS_DIR:-/tmp/s3kit-servers}"
# Absolute, so the paths written to the env file work from any directory.
[[ "${SERVERS_DIR}" == /* ]] || SERVERS_DIR="${PWD}/${SERVERS_DIR}"
SERVERS_DIR="${SERVERS_DIR%/}"
# Refuse obviously dangerous state dirs: stop.sh runs rm -rf below it.
case "${SERVERS_DIR}" in
	"" | /tmp | /root | /home | /etc | /var | /usr)
		echo "S3KIT_SERVERS_DIR='${SERVERS_DIR}' is not allowed" >&2
		exit 2
		;;
esac
# Child scripts (start.sh runs stop.sh) must resolve the same directory.
export S3KIT_SERVERS_DIR="${SERVERS_DIR}"
RUN_DIR="${SERVERS_DIR}/run"
PID_DIR="${RUN_DIR}/pids"
LOG_DIR="${RUN_DIR}/logs"
TLS_DIR="${RUN_DIR}/tls"
CEPH_DIR="${RUN_DIR}/ceph"
CEPH_CONF_FILE="${CEPH_DIR}/ceph.conf"
CEPH_CLUSTER_NAME="s3kit"
VERSITYGW_DATA_DIR="${RUN_DIR}/versitygw"
ENV_FILE="${SERVERS_DIR}/env"
VERSITYGW_BIN_DIR="${S3KIT_VERSITYGW_BIN_DIR:-${SERVERS_DIR}/bin}"

# Ports (all bound on 127.0.0.1 only).
RGW_PORT="${S3KIT_RGW_PORT:-7480}"
RGW_TLS_PORT="${S3KIT_RGW_TLS_PORT:-7443}"
VERSITYGW_PORT="${S3KIT_VERSITYGW_PORT:-7070}"
CEPH_MON_PORT="${S3KIT_CEPH_MON_PORT:-3300}"
# Ports the OSD may bind (it takes a handful). Kept clear of the S3 ports.
CEPH_BIND_PORT_MIN="${S3KIT_CEPH_BIND_PORT_MIN:-6800}"
CEPH_BIND_PORT_MAX="${S3KIT_CEPH_BIND_PORT_MAX:-6899}"

# Fixed test credentials (throw-away, loopback only).
RGW_ACCESS_KEY="${S3KIT_RGW_ACCESS_KEY:-S3KITRGWACCESSKEY001}"
RGW_SECRET_KEY="${S3KIT_RGW_SECRET_KEY:-s3kitRgwSecretKey0000000000000000000000001}"
VERSITYGW_ACCESS_KEY="${S3KIT_VERSITYGW_ACCESS_KEY:-S3KITVGWACCESSKEY001}"
VERSITYGW_SECRET_KEY="${S3KIT_VERSITYGW_SECRET_KEY:-s3kitVgwSecretKey0000000000000000000000001}"
REGION="eu-west-1"

# Processes we manage (each has $PID_DIR/<name>.pid): ceph-mon, ceph-osd,
# radosgw, versitygw. stop.sh stops them clients-first.

# pid_alive NAME: true when $PID_DIR/NAME.pid names a live process whose
# executable is NAME (guards against a recycled PID).
pid_alive() {
	local name="$1" pidfile pid exe
	pidfile="${PID_DIR}/${name}.pid"
	[[ -s "${pidfile}" ]] || return 1
	pid="$(<"${pidfile}")"
	[[ "${pid}" =~ ^[0-9]+$ ]] || return 1
	kill -0 "${pid}" 2>/dev/null || return 1
	exe="$(readlink "/proc/${pid}/exe" 2>/dev/null || true)"
	[[ "${exe##*/}" == "${name}" ]]
}

# http_up URL: true when something answers HTTP(S) at URL (any status code).
http_up() {
	local code
	code="$(curl -sk -o /dev/null -m 3 -w '%{http_code}' "$1" 2>/dev/null || true)"
	[[ -n "${code}" && "${code}" != "000" ]]
}

# port_busy PORT: true when something listens on 127.0.0.1:PORT.
port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# now: seconds since the epoch with microseconds.
now() { printf '%s' "${EPOCHREALTIME}"; }

# elapsed START: seconds since START (from now), one decimal.
elapsed() { awk -v a="$1" -v b="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", b - a }'; }
