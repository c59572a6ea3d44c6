#!/usr/bin/env bash
# Stragglers, measured: a job on 2 workers where one worker is slow (SIGSTOPped 90 % of the time, as a node
# with a throttled CPU or a sick disk). It runs once with the straggler mover (a task that waits Assigned
# behind a running task of its holder for FERRY_STRAGGLER_WAIT_SECONDS, default 10, moves to an idle
# worker) and once with the mover off (a wait of a day), and prints the wall times and the tasks moved.
# FILES=N (default 3000 files of 1 B-32 KiB, in tasks of 50), WORK=DIR (default a temporary directory).
set -uo pipefail
cd "$(dirname "$0")/../.."
WORK=${WORK:-$(mktemp -d)}
FILES=${FILES:-3000}
TREE=$WORK/tree
if [ ! -d "$TREE" ]; then
  python3 - "$TREE" "$FILES" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
for i in range(n):
    d = os.path.join(root, "d%02d" % (i % 30))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(r.randbytes(1 + r.randrange(32768)))
PY
fi

run() { # NAME STRAGGLER_WAIT_SECONDS
  local name=$1 wait=$2 wd=$WORK/$1
  rm -rf "$wd"
  local start=$(date +%s%N)
  FERRY_STRAGGLER_WAIT_SECONDS=$wait ./ferry migrate "$TREE" "s3://$name" --name "$name" --workers 2 --operators 1 \
    --max-files 50 --work-dir "$wd" > "$WORK/$name.out" 2>&1 &
  local migrate=$! pid=""
  export KUBECONFIG=$wd/runs/$name/kubeconfig
  # the first worker to come up is the slow one
  while [ -z "$pid" ] && kill -0 $migrate 2>/dev/null; do
    sleep 0.2
    pid=$(kubectl get pods -l app.kubernetes.io/component=worker \
      -o jsonpath='{.items[0].metadata.annotations.ferry\.dev/pid}' 2>/dev/null || true)
  done
  while kill -0 $migrate 2>/dev/null && kill -STOP "$pid" 2>/dev/null; do
    sleep 0.9; kill -CONT "$pid" 2>/dev/null; sleep 0.1
  done
  kill -CONT "$pid" 2>/dev/null
  local status=0
  wait $migrate || status=$?
  local millis=$(( ($(date +%s%N) - start) / 1000000 ))
  local moved=$(cat "$wd"/runs/"$name"/logs/ferry-operator-*.log 2>/dev/null | grep -c " moved: ")
  printf '%-10s straggler wait %6s s: exit %d, %6.1f s, %d task(s) moved off the slow worker\n' \
    "$name" "$wait" "$status" "$(echo "$millis / 1000" | python3 -c 'import sys; print(eval(sys.stdin.read()))')" "$moved"
  tail -1 "$WORK/$name.out"
}

run mover 10
run nomover 86400
