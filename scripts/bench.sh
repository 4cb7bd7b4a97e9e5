#!/usr/bin/env bash
# Benchmarks s3kit against the raw AWS SDK (same compatible settings,
# transfermanager for large transfers) and minio-go, in one run, and prints
# benchstat tables with the clients side by side.
#
#   scripts/bench.sh                                  # everything (about 15 minutes)
#   BENCH_COUNT=1 BENCH_SIZE_MIB=64 BENCH_LIST=2000 scripts/bench.sh   # a quick check
#   BENCH_SMALL= BENCH_LARGE=UploadKnownSize BENCH_COUNT=10 scripts/bench.sh  # one benchmark
#   BENCH_SERVER=minio scripts/bench.sh               # against MinIO instead of versitygw
#   BENCH_SMALL= BENCH_LARGE='UploadKnownSize/client=s3kit$' BENCH_CPUPROFILE=/tmp/prof scripts/bench.sh
#                          # a CPU profile of one client per round, and its top functions
#
# Small operations run against an instant in-process stub. Large transfers,
# directory uploads and listings run against a real server on 127.0.0.1
# over TLS with its data on /dev/shm, started here and stopped at exit:
# versitygw (posix backend; BENCH_SERVER=versitygw, the default) or MinIO
# (single drive; BENCH_SERVER=minio). curl transfers of the same object from
# the same server are the baseline. Needs the server's binary
# (scripts/servers/install.sh builds versitygw, scripts/servers/install-minio.sh
# MinIO; each is built on first use), openssl and curl.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

COUNT=${BENCH_COUNT:-5}             # runs of each benchmark, for benchstat
SIZE_MIB=${BENCH_SIZE_MIB:-1024}    # size of the large transfers
PORT=${BENCH_PORT:-7072}
LIST=${BENCH_LIST:-20000}            # objects in the listing benchmark
SMALL=${BENCH_SMALL-'Put1KiB|Get1KiB|Head|ListStub20k'}  # -bench pattern; empty skips
LARGE=${BENCH_LARGE-'Upload|Download|List20k'}           # -bench pattern (UploadDir* included); empty skips
SERVER=${BENCH_SERVER:-versitygw}   # versitygw or minio
PROFILE=${BENCH_CPUPROFILE:-}        # directory for CPU profiles of each round; empty takes none
BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
work=/dev/shm/s3kit-bench
out=${BENCH_OUT:-$root/bench/results/$SERVER}

bindir=${S3KIT_SERVERS_DIR:-/tmp/s3kit-servers}/bin
case $SERVER in
versitygw)
	[[ -x $bindir/versitygw ]] || scripts/servers/install.sh >&2
	server_version="versitygw (scripts/servers/install.sh pins v1.8.0), posix"
	;;
minio)
	[[ -x $bindir/minio ]] || scripts/servers/install-minio.sh >&2
	server_version="MinIO (scripts/servers/install-minio.sh pins $(scripts/servers/install-minio.sh --version)), single drive"
	;;
*)
	echo "BENCH_SERVER must be versitygw or minio, not $SERVER" >&2
	exit 2
	;;
esac

rm -rf "$work"
mkdir -p "$work/data" "$work/tmp" "$out"
cleanup() {
	[[ -n ${server_pid:-} ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	[[ -f $work/server.log ]] && cp "$work/server.log" "$out/server.log"
	rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
export S3KIT_BENCH_ENDPOINT=https://127.0.0.1:$PORT
export S3KIT_BENCH_ACCESS_KEY=benchaccess S3KIT_BENCH_SECRET_KEY=benchsecret
export S3KIT_BENCH_CA=$work/cert.pem S3KIT_BENCH_BUCKET=bench S3KIT_BENCH_LIST_BUCKET=bench-list
export S3KIT_BENCH_FILE=$work/object S3KIT_BENCH_TMP=$work/tmp S3KIT_BENCH_LIST_COUNT=$LIST
case $SERVER in
versitygw)
	"$bindir/versitygw" --port "127.0.0.1:$PORT" --access "$S3KIT_BENCH_ACCESS_KEY" --secret "$S3KIT_BENCH_SECRET_KEY" \
		--region eu-west-1 --cert "$work/cert.pem" --key "$work/key.pem" posix "$work/data" >"$work/server.log" 2>&1 &
	;;
minio)
	# MinIO reads its certificate from <certs-dir>/public.crt and private.key.
	mkdir -p "$work/certs"
	cp "$work/cert.pem" "$work/certs/public.crt"
	cp "$work/key.pem" "$work/certs/private.key"
	MINIO_ROOT_USER=$S3KIT_BENCH_ACCESS_KEY MINIO_ROOT_PASSWORD=$S3KIT_BENCH_SECRET_KEY MINIO_REGION=eu-west-1 \
		MINIO_BROWSER=off MINIO_UPDATE=off CI=true \
		"$bindir/minio" server --quiet --address "127.0.0.1:$PORT" --certs-dir "$work/certs" "$work/data" >"$work/server.log" 2>&1 &
	;;
esac
server_pid=$!
export S3KIT_BENCH_SERVER_PID=$server_pid # the benchmarks report the server's CPU time from it
for _ in $(seq 300); do
	curl -s --cacert "$S3KIT_BENCH_CA" -o /dev/null "$S3KIT_BENCH_ENDPOINT/minio/health/ready" && break
	sleep 0.1
done

head -c $((SIZE_MIB << 20)) /dev/urandom >"$S3KIT_BENCH_FILE"
(cd bench && go run ./prepare -file "$S3KIT_BENCH_FILE" -list "$LIST") >&2

{
	echo "# s3kit benchmarks, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "# $(go version); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
	echo "# server: $server_version on /dev/shm, TLS, 127.0.0.1; object ${SIZE_MIB} MiB"
} | tee "$out/header.txt"

# curl baseline: the same object, the same server, SigV4 with an unsigned
# payload over TLS, as the Go clients send it.
curl_speed() { # direction
	local args=(-s --cacert "$S3KIT_BENCH_CA" --aws-sigv4 "aws:amz:eu-west-1:s3"
		--user "$S3KIT_BENCH_ACCESS_KEY:$S3KIT_BENCH_SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
	if [[ $1 == up ]]; then
		curl "${args[@]}" -T "$S3KIT_BENCH_FILE" -o /dev/null -w '%{speed_upload}' "$S3KIT_BENCH_ENDPOINT/bench/curl-upload"
	else
		curl "${args[@]}" -o "$work/tmp/curl-dl" -w '%{speed_download}' "$S3KIT_BENCH_ENDPOINT/bench/download-source"
	fi
}
# The benchmarks are built once and run COUNT rounds; each round runs every
# client (and curl) once, so that the machine's drift over minutes affects
# all clients alike instead of favouring whichever runs last. The order of
# the clients within a benchmark rotates with the round
# (S3KIT_BENCH_ROUND), so that none always runs first.
(cd bench && go test -c -o "$work/bench.test" .)
profile() { # kind: the go test flag that writes this round's CPU profile, if asked
	[[ -n $PROFILE ]] && echo "-test.cpuprofile=$PROFILE/$1-$round.cpu"
	return 0
}
if [[ -n $PROFILE ]]; then
	mkdir -p "$PROFILE"
	cp "$work/bench.test" "$PROFILE/bench.test"
fi
: >"$out/curl.txt"
: >"$out/small.txt"
: >"$out/large.txt"
for round in $(seq "$COUNT"); do
	echo "# round $round of $COUNT" >&2
	export S3KIT_BENCH_ROUND=$round
	if [[ -n $SMALL ]]; then
		# Small operations run for a second each.
		(cd bench && "$work/bench.test" -test.run '^$' -test.bench "$SMALL" -test.benchmem -test.count 1 $(profile small)) | tee -a "$out/small.txt"
	fi
	if [[ -n $LARGE ]]; then
		(cd bench && "$work/bench.test" -test.run '^$' -test.bench "$LARGE" -test.benchtime 1x -test.count 1 -test.timeout 60m $(profile large)) | tee -a "$out/large.txt"
		for dir in up down; do
			echo "curl-$dir $(curl_speed $dir)" >>"$out/curl.txt"
		done
	fi
done
awk '{ v[$1] = v[$1] " " $2 / 1048576 } END { for (k in v) printf "%s MiB/s:%s\n", k, v[k] }' "$out/curl.txt" | sort | tee "$out/curl-summary.txt"

cd bench
if [[ -n $SMALL ]]; then
	go run "$BENCHSTAT" -col /client "$out/small.txt" | tee "$out/small-benchstat.txt"
fi
if [[ -n $LARGE ]]; then
	go run "$BENCHSTAT" -col /client "$out/large.txt" | tee "$out/large-benchstat.txt"
fi
if [[ -n $PROFILE ]]; then
	# The rounds' profiles merged: the functions that took the most CPU,
	# counting what they called.
	for kind in small large; do
		ls "$PROFILE/$kind"-*.cpu >/dev/null 2>&1 || continue
		go tool pprof -top -cum -nodecount 40 "$PROFILE/bench.test" "$PROFILE/$kind"-*.cpu | tee "$PROFILE/$kind-top-cum.txt"
		go tool pprof -top -nodecount 40 "$PROFILE/bench.test" "$PROFILE/$kind"-*.cpu | tee "$PROFILE/$kind-top.txt"
	done
fi
