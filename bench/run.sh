#!/usr/bin/env bash
# bench/run.sh: actionsd against its peer and its floor, over loopback HTTP, with one load
# generator (wrk) at one concurrency, alternating A B C A B C so that drift on a shared machine
# hits every target alike. For each action (claims-only, the quickstart whose logger module
# fetches from a loopback sink, and a compute-heavy transform-and-sort of 2,000 objects) it runs:
#   node      Node.js 20 loading the same action file with a minimal recording api (bench/node)
#   floor     a plain Go net/http handler that decodes the event and writes a fixed reply
#   actionsd  actionsd's HTTP API (POST /v1/triggers/post-login/execute) serving the action
# and prints req/s, p50 and p99, and actionsd's ratios to node and to the floor.
#
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_ROUNDS (2),
# BENCH_SCENARIOS ("claims quickstart compute"). BENCH_BEFORE=BINARY adds a fourth server to the
# rotation, "before": a bench/server binary built from an earlier tree, to compare a change within
# one run. Needs go, node and wrk (installed from Debian when missing). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

DUR=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
ROUNDS=${BENCH_ROUNDS:-2}
SCENARIOS=${BENCH_SCENARIOS:-claims quickstart compute}
NODE_PORT=8101 FLOOR_PORT=8102 ACTIONSD_PORT=8103 SINK_PORT=8104 BEFORE_PORT=8105
BEFORE=${BENCH_BEFORE:-}
TARGETS="node floor actionsd"
if [ -n "$BEFORE" ]; then TARGETS="$TARGETS before"; fi

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
command -v node >/dev/null || { echo "bench: node is required" >&2; exit 1; }
echo "node $(node --version), $(go version | cut -d' ' -f3), wrk -t$THREADS -c$CONNS -d$DUR, $ROUNDS rounds, $(nproc) CPUs" >&2

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/server" ./bench/server

export BENCH_MODULE_SECRETS="{\"logger\":{\"SERVICE_URL\":\"http://127.0.0.1:$SINK_PORT/log\",\"API_KEY\":\"bench-key\"}}"
export BENCH_EVENT=bench/event.json

wait_port() {
  for _ in $(seq 100); do
    if curl -s -o /dev/null -X POST --data @bench/event.json "http://127.0.0.1:$1$2"; then return 0; fi
    sleep 0.1
  done
  echo "bench: nothing answers on port $1" >&2
  exit 1
}
start() { # name command... ; sets the pid of the last started server in $last
  "${@:2}" >"$tmp/$1.log" 2>&1 &
  last=$!
  pids+=("$last")
}

start sink "$tmp/server" -mode sink -addr "127.0.0.1:$SINK_PORT"
start floor "$tmp/server" -mode floor -addr "127.0.0.1:$FLOOR_PORT"
wait_port $SINK_PORT /log
wait_port $FLOOR_PORT /

# to_ms converts wrk's "1.23ms", "456.78us", "1.02s" into milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

# load url: prints "req/s p50ms p99ms".
load() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency -s bench/post.lua "$1")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "bench: non-2xx answers from $1" >&2; fi
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}

declare -A url=(
  [node]="http://127.0.0.1:$NODE_PORT/"
  [floor]="http://127.0.0.1:$FLOOR_PORT/"
  [actionsd]="http://127.0.0.1:$ACTIONSD_PORT/v1/triggers/post-login/execute"
  [before]="http://127.0.0.1:$BEFORE_PORT/v1/triggers/post-login/execute"
)
results="$tmp/results"
: >"$results"
for sc in $SCENARIOS; do
  start "node-$sc" node bench/node/server.js "$NODE_PORT" "bench/actions/$sc" bench/modules
  node_pid=$last
  start "actionsd-$sc" "$tmp/server" -mode actionsd -addr "127.0.0.1:$ACTIONSD_PORT" -action "bench/actions/$sc" -modules bench/modules
  actionsd_pid=$last
  before_pid=
  if [ -n "$BEFORE" ]; then
    start "before-$sc" "$BEFORE" -mode actionsd -addr "127.0.0.1:$BEFORE_PORT" -action "bench/actions/$sc" -modules bench/modules
    before_pid=$last
    wait_port $BEFORE_PORT /v1/triggers/post-login/execute
  fi
  wait_port $NODE_PORT /
  wait_port $ACTIONSD_PORT /v1/triggers/post-login/execute
  # Check both answer the action, then warm them (JIT, pools).
  curl -s -X POST --data @bench/event.json "${url[node]}" | grep -q '"outcome":"success"' || { echo "bench: node failed $sc" >&2; cat "$tmp/node-$sc.log" >&2; exit 1; }
  curl -s -X POST --data @bench/event.json "${url[actionsd]}" | grep -q '"outcome":"success"' || { echo "bench: actionsd failed $sc" >&2; exit 1; }
  for t in $TARGETS; do [ "$t" = floor ] || wrk -t"$THREADS" -c"$CONNS" -d2s -s bench/post.lua "${url[$t]}" >/dev/null; done
  for r in $(seq "$ROUNDS"); do
    for t in $TARGETS; do
      echo "$sc $t $r $(load "${url[$t]}")" | tee -a "$results" >&2
    done
  done
  kill "$node_pid" "$actionsd_pid" $before_pid
  wait "$node_pid" "$actionsd_pid" $before_pid 2>/dev/null || true
done

# Means over the rounds, and the ratios of actionsd (and "before") to node and the floor.
awk -v targets="$TARGETS" '
  { k = $1 " " $2; rps[k] += $4; p50[k] += $5; p99[k] += $6; n[k]++; sc[$1] = 1 }
  END {
    nt = split(targets, names, " ")
    printf "%-11s %-9s %10s %9s %9s\n", "action", "server", "req/s", "p50 ms", "p99 ms"
    for (s in sc) for (t = 1; t <= nt; t++) {
      k = s " " names[t]
      printf "%-11s %-9s %10.0f %9.3f %9.3f\n", s, names[t], rps[k]/n[k], p50[k]/n[k], p99[k]/n[k]
    }
    print ""
    printf "%-11s %-9s %16s %16s %14s %14s\n", "action", "server", "req/s vs node", "req/s vs floor", "p50 vs node", "p99 vs node"
    for (s in sc) for (t = 3; t <= nt; t++) {
      a = s " " names[t]; nd = s " node"; f = s " floor"
      printf "%-11s %-9s %15.2fx %15.2fx %13.2fx %13.2fx\n", s, names[t], rps[a]/rps[nd], rps[a]/rps[f], p50[a]/p50[nd], p99[a]/p99[nd]
    }
  }' "$results"
