#!/usr/bin/env bash
# Stop the servers started by scripts/servers/start.sh and remove their
# runtime data ($S3KIT_SERVERS_DIR/run and $S3KIT_SERVERS_DIR/env). The
# versitygw binary in $S3KIT_SERVERS_DIR/bin is kept.
#
# Each process is found through its PID file, sent SIGTERM, given a bounded
# time to exit, then sent SIGKILL. Idempotent: nothing running is fine.
#
# Options:
#   --keep-data   stop the processes but keep run/ (logs) for inspection.
#
# Environment:
#   S3KIT_SERVERS_STOP_TIMEOUT  seconds to wait after SIGTERM (default 10)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${SCRIPT_DIR}/lib.sh"

keep_data=0
for arg in "$@"; do
	case "${arg}" in
		--keep-data) keep_data=1 ;;
		*)
			echo "usage: $0 [--keep-data]" >&2
			exit 2
			;;
	esac
done

STOP_TIMEOUT="${S3KIT_SERVERS_STOP_TIMEOUT:-10}"

log() { printf '[stop] %s\n' "$*" >&2; }

# stop_group NAME...: SIGTERM every named process that is running, wait up to
# $STOP_TIMEOUT s for all of them, then SIGKILL whatever is left.
stop_group() {
	local name pid i t0 alive
	local -a pids=() names=()
	for name in "$@"; do
		[[ -e "${PID_DIR}/${name}.pid" ]] || continue
		if pid_alive "${name}"; then
			pid="$(<"${PID_DIR}/${name}.pid")"
			log "stopping ${name} (pid ${pid})"
			kill -TERM "${pid}" 2>/dev/null || true
			pids+=("${pid}")
			names+=("${name}")
		else
			# Not running (or the PID now belongs to something else): forget it.
			rm -f "${PID_DIR}/${name}.pid"
		fi
	done
	((${#pids[@]} > 0)) || return 0
	t0="$(now)"
	for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
		alive=0
		for pid in "${pids[@]}"; do
			kill -0 "${pid}" 2>/dev/null && alive=1
		done
		((alive)) || break
		sleep 0.1
	done
	for i in "${!pids[@]}"; do
		pid="${pids[i]}"
		if kill -0 "${pid}" 2>/dev/null; then
			log "${names[i]} (pid ${pid}) still alive after ${STOP_TIMEOUT} s; sending SIGKILL"
			kill -KILL "${pid}" 2>/dev/null || true
		fi
	done
	# Reap check: SIGKILL is not instant either.
	for ((i = 0; i < 50; i++)); do
		alive=0
		for pid in "${pids[@]}"; do
			kill -0 "${pid}" 2>/dev/null && alive=1
		done
		((alive)) || break
		sleep 0.1
	done
	for name in "${names[@]}"; do rm -f "${PID_DIR}/${name}.pid"; done
	log "${names[*]} stopped in $(elapsed "${t0}") s"
}

# Clients first (in parallel), then the OSD while the monitor can still
# record it going down, then the monitor.
stop_group versitygw radosgw
stop_group ceph-osd
stop_group ceph-mon

if [[ ${keep_data} -eq 0 ]]; then
	rm -rf -- "${RUN_DIR}"
	rm -f -- "${ENV_FILE}" "${ENV_FILE}.tmp"
	log "stopped; removed ${RUN_DIR} and ${ENV_FILE}"
else
	rm -f -- "${ENV_FILE}" "${ENV_FILE}.tmp"
	log "stopped; kept ${RUN_DIR}"
fi
