#!/usr/bin/env bash
# Runs every fuzz target of the root package for ${FUZZTIME:-30s} each.
# Seed corpora live in testdata/fuzz/<FuzzName>/ and are also run by a plain
# `go test`. A failing input is written to testdata/fuzz/<FuzzName>/ by Go;
# commit it with the fix so it stays a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}
targets=$(go test -list '^Fuzz' . | grep '^Fuzz')
for target in $targets; do
	echo "== $target ($fuzztime)"
	go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" .
done
