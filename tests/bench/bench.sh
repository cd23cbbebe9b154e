#!/usr/bin/env bash
# make bench: the OCI-level benchmark, which writes BENCHMARKS.md, then the
# engine-level rows (docker run, ctr, podman, a CRI pod to its first HTTP
# answer), Go benchmarks beside the tests that own those daemons.
#
#   QUICK=1          fewer rounds, and no baseline
#   SOLO5_SPT=PATH   adds Solo5's own solo5-spt to the boot row (built by
#                    hand: this project builds none of Solo5)
#   BASELINE=COMMIT  the runnc whose lifecycle rows make the "runnc-before"
#                    column, built from git below $BUILD/baseline; by default
#                    d3582f8, the commit before the start-up work (C init,
#                    cgroup join, disk cache, static binary); BASELINE= leaves
#                    it out
set -euo pipefail
build=$(realpath -m "${BUILD:-build}")
go=${GO:-go}
baseline=${BASELINE-d3582f8}
args=()
rounds=20x
if [ -n "${QUICK:-}" ]; then
	args+=(-quick)
	baseline=
	rounds=3x
fi
if [ -n "$baseline" ]; then
	rm -rf "$build/baseline-src" && mkdir -p "$build/baseline-src"
	git archive "$baseline" | tar -x -C "$build/baseline-src"
	# That commit's Makefile links runnc dynamically; its version names it.
	make -C "$build/baseline-src" BUILD="$build/baseline" runnc tender guests \
		GOFLAGS_BUILD="-trimpath -ldflags \"-s -w -X main.gitCommit=$baseline\""
	args+=(-baseline "$build/baseline")
fi
if [ -n "${SOLO5_SPT:-}" ]; then
	args+=(-solo5-spt "$(realpath -s "$SOLO5_SPT")")
fi
"$go" run ./tests/bench "${args[@]}"
"$go" test -count=1 -run '^$' -bench . -benchtime "$rounds" ./tests/e2e ./tests/clients
