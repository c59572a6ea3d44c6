#!/usr/bin/env bash
# Ferry beside rclone in the shared anchor harness (../shared/bench); e2e/bench/bench.py is the same method
# on its own (no ../shared needed). Same dataset, same S3Proxy,
# one run, alternating order; the table's "ratio vs ref" is wall(ferry) / wall(best rclone).
#
#   e2e/bench/run.sh [PROFILE...]            (default: small)
#   REPS=2 TOOLS="rclone:t16nh ours:default" e2e/bench/run.sh small mixed large
#
# Ferry runs as a user runs it: the `ferry` launcher's local mode (local API, operator, worker processes)
# against the harness's S3Proxy endpoint. Settings: ours:default (ferry's default worker count: one per 4 CPUs, at least 1),
# ours:w1, ours:w2, ours:w3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
[ -d "$BENCH" ] || { echo "no anchor harness at $BENCH" >&2; exit 2; }
# The launcher builds the jar when it is missing or stale: here, not in a measured run.
"$ROOT/ferry" --version >/dev/null

# {SETTING} → ferry options; the work dir is scratch under /tmp/bench, never in the repo.
export FERRY_BENCH_LAUNCHER=$ROOT/ferry
export FERRY_JAVA_OPTS="-Xmx1g -XX:+UseParallelGC -XX:TieredStopAtLevel=1" FERRY_BUILD=never
export OURS_CMD='case "{SETTING}" in w1) W="--workers 1";; w2) W="--workers 2";; w3) W="--workers 3";; *) W="";; esac; "$FERRY_BENCH_LAUNCHER" migrate {SRC} s3://{BUCKET}/ --endpoint {ENDPOINT} $W --work-dir /tmp/bench/ferry-work >/tmp/bench/ferry-last.log 2>&1 || { tail -20 /tmp/bench/ferry-last.log >&2; exit 1; }'
export TOOLS=${TOOLS:-"rclone:t16nh ours:default"}
export REPS=${REPS:-1}
exec "$BENCH/run-anchors.sh" "${@:-small}"
