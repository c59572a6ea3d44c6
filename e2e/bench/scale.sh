#!/usr/bin/env bash
# Control-plane scale benchmark: the local Kubernetes API in one JVM, the real operator in another with
# a fixed heap (-Xmx256m by default), 20 simulated workers (Ready pods, renewed Leases, fenced task
# writes). Prints assignment throughput, the operator's heap and the time to take back the tasks of a
# deleted worker. Not a test: one run, figures to read.
#
#   e2e/bench/scale.sh                                  (10,000 tasks, 20 workers, 1,000 to reassign)
#   e2e/bench/scale.sh --tasks=2000 --workers=10 --reassign=200 --heap=128m
#   e2e/bench/scale.sh --max-active=10000 --tasks=20000    (assignment with 10,000 live tasks)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/cli/target/ferry.jar
CLASSES=$ROOT/e2e/target/test-classes
if [ ! -f "$JAR" ] || [ ! -f "$CLASSES/dev/ferry/e2e/bench/ControlPlaneScaleBenchmark.class" ] || [ -n "${REBUILD:-}" ]; then
  # One Maven build at a time on shared machines (the lock is free elsewhere).
  LOCK=${FERRY_MVN_LOCK:-/tmp/ferry-mvn.lock}
  (cd "$ROOT" && flock "$LOCK" mvn -q -B -DskipTests -pl e2e -am package)
fi
exec java -Xmx512m -cp "$CLASSES:$JAR" dev.ferry.e2e.bench.ControlPlaneScaleBenchmark "$@"
