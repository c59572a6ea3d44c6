#!/usr/bin/env bash
# Planning memory benchmark: one directory of many empty files walked as a plan walks it, in a JVM with a
# fixed heap. Not a test: one run, figures to read.
#
#   e2e/bench/planning-memory.sh --entries=10000000 --heap=64m
#   e2e/bench/planning-memory.sh --entries=1000000 --heap=64m --in-memory=100000000   (no spilling: the old way)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/cli/target/ferry.jar
CLASSES=$ROOT/e2e/target/test-classes
HEAP=64m
ARGS=()
for arg in "$@"; do
  case $arg in
    --heap=*) HEAP=${arg#--heap=} ;;
    *) ARGS+=("$arg") ;;
  esac
done
if [ ! -f "$JAR" ] || [ ! -f "$CLASSES/dev/ferry/e2e/bench/PlanningMemoryBenchmark.class" ] || [ -n "${REBUILD:-}" ]; then
  LOCK=${FERRY_MVN_LOCK:-/tmp/ferry-mvn.lock}
  (cd "$ROOT" && flock "$LOCK" mvn -q -B -DskipTests -pl e2e -am package)
fi
exec java -Xmx"$HEAP" -XX:+UseSerialGC -cp "$CLASSES:$JAR" dev.ferry.e2e.bench.PlanningMemoryBenchmark "${ARGS[@]}"
