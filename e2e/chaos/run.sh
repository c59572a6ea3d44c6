#!/usr/bin/env bash
# The chaos suite, three times in a row (RUNS=N to change): a 20,000-file job on `ferry dev-cluster` with
# 4 workers, 2 operators and 2 gateways while workers are killed every 5 s, the leader twice, a gateway
# goes down for 30 s, a worker hangs past the stall timeout and the workers are restarted (ChaosIT).
# Stops at the first failing run. Figures: e2e/target/chaos/report.md; what was done when: acts-*.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
mvn -q -B -DskipTests install
rm -rf e2e/target/chaos
for run in $(seq 1 "$RUNS"); do
  echo "chaos run $run of $RUNS"
  mvn -q -B -pl e2e verify -Pchaos ${CHAOS_SEED:+-Dchaos.seed=$CHAOS_SEED}
done
cat e2e/target/chaos/report.md
