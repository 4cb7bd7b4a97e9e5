#!/usr/bin/env bash
# Runs every fuzz target of the root package for ${FUZZTIME:-30s} each.
# Seed corpora live in testdata/fuzz/<FuzzName>/ and are also run by a plain
# `go test`. A failing input is written to testdata/fuzz/<FuzzName>/ by Go;
# commit it with the fix so it stays a regression test.
#
# Minimising a new input may take up to a minute by default, during which
# no new input is tried; ${FUZZMINIMIZETIME:-5s} keeps most of the time for
# fuzzing. Each exec is slow-ish (a few thousand a second at best) because
# the package pulls in the whole AWS SDK, whose coverage counters the fuzzer
# compares after every input; FuzzErrorXML and FuzzMetadata also make a real
# HTTP request per input.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}
targets=$(go test -list '^Fuzz' . | grep '^Fuzz')
# Go's fuzz coordinator (go1.26 and older) can fail a run that found nothing
# with a bare "context deadline exceeded" when -fuzztime ends while a worker
# is busy (golang/go#75804). Such a run writes no failing input; it is
# reported and the target is fuzzed once more. A run that writes an input,
# or fails any other way, fails the script.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
inputs() { # number of saved inputs of target $1
	local files=("testdata/fuzz/$1"/*)
	[[ -e ${files[0]} ]] && echo "${#files[@]}" || echo 0
}
for target in $targets; do
	for try in 1 2; do
		echo "== $target ($fuzztime)"
		before=$(inputs "$target")
		if go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -fuzzminimizetime="${FUZZMINIMIZETIME:-5s}" . 2>&1 | tee "$log"; then
			break
		fi
		after=$(inputs "$target")
		if [[ $try == 1 && $after == "$before" ]] && grep -q '^[[:space:]]*context deadline exceeded$' "$log"; then
			echo "!! $target: 'context deadline exceeded' with no failing input: Go's fuzz coordinator race (golang/go#75804); running it again"
			continue
		fi
		exit 1
	done
done
