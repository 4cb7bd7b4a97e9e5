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
for target in $targets; do
	echo "== $target ($fuzztime)"
	go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -fuzzminimizetime="${FUZZMINIMIZETIME:-5s}" .
done
