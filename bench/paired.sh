#!/usr/bin/env bash
# bench/paired.sh: two actionsd daemons loaded at the same time, for a ratio that a shared
# machine's swings do not decide. bench/run.sh loads one server after the other, so that when
# other work on the machine comes and goes, a round's ratio moves with it; here both daemons are
# pinned to the same CPU (BENCH_SERVER_CPU, 0) and loaded together by one wrk each on the other
# (BENCH_LOAD_CPU, 1), so that whatever else runs hits both alike.
#
# "a" is actionsd built from this tree, or BENCH_A (a git revision of this repository or an
# actionsd binary), with BENCH_A_FLAGS; "b" is BENCH_B (the same; default: a's binary) with
# BENCH_B_FLAGS. Each serves the
# claims-only action (bench/actions/claims) with the default log level; each round loads both for
# BENCH_DURATION (10s) with BENCH_CONNECTIONS (4) connections each and prints the CPU per request
# of each (utime + stime over the requests completed) and a/b, then the median of the rounds'
# ratios (BENCH_ROUNDS, 5) and the peak resident memory of each.
#
#   BENCH_B_FLAGS=--history=false bench/paired.sh     # what recording the executions costs
#
# Needs go, git, taskset and wrk, and two CPUs. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

DUR=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-4}
ROUNDS=${BENCH_ROUNDS:-5}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
A=${BENCH_A:-}
B=${BENCH_B:-}
A_FLAGS=${BENCH_A_FLAGS:-}
B_FLAGS=${BENCH_B_FLAGS:-}
TOKEN=bench-token
A_PORT=${BENCH_A_PORT:-8121} B_PORT=${BENCH_B_PORT:-8122}
for c in wrk taskset git; do command -v $c >/dev/null || { echo "bench: $c is required" >&2; exit 1; }; done

# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_actionsd a "$A"
if [ -n "$B" ]; then bench_actionsd b "$B"; else cp "$tmp/a" "$tmp/b"; fi

r="$tmp/repo"
mkdir -p "$r/actions/claims"
cp bench/actions/claims/index.js "$r/actions/claims/"
printf 'post-login: [claims]\n' >"$r/triggers.yaml"
printf 'trigger: post-login\n' >"$r/actions/claims/action.yaml"
git -C "$r" init -q -b main
git -C "$r" add -A
git -C "$r" -c user.name=bench -c user.email=bench@example.invalid commit -qm claims
printf 'modules: {}\n' >"$tmp/secrets.yaml"
cat >"$tmp/post.lua" <<LUA
local f = assert(io.open("bench/event.json", "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA

declare -A pid url
for s in a b; do
  port=$A_PORT flags=$A_FLAGS
  if [ $s = b ]; then port=$B_PORT flags=$B_FLAGS; fi
  # shellcheck disable=SC2086 # the flags are a list
  ACTIONSD_TOKEN=$TOKEN taskset -c "$SERVER_CPU" "$tmp/$s" serve --repo "$r" --data-dir "$tmp/data-$s" \
    --addr "127.0.0.1:$port" --secrets-file "$tmp/secrets.yaml" --poll-interval 0 $flags >"$tmp/$s.log" 2>&1 &
  pid[$s]=$!
  pids+=("${pid[$s]}")
  url[$s]="http://127.0.0.1:$port/v1/triggers/post-login/execute"
done
for s in a b; do
  for i in $(seq 300); do
    if curl -sf -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" --data @bench/event.json "${url[$s]}"; then break; fi
    if [ "$i" = 300 ]; then echo "bench: $s does not answer; its log:" >&2; cat "$tmp/$s.log" >&2; exit 1; fi
    sleep 0.1
  done
done

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
HZ=$(getconf CLK_TCK)
# both DURATION: loads a and b at once; writes each one's wrk output to $tmp/wrk-<server>.
both() {
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$1" -s "$tmp/post.lua" "${url[a]}" >"$tmp/wrk-a" &
  local w=$!
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$1" -s "$tmp/post.lua" "${url[b]}" >"$tmp/wrk-b"
  wait $w
}
both 3s # warm: pools, the collector's pacing
echo "a: ${A:-actionsd of this tree} $A_FLAGS; b: ${B:-the same} $B_FLAGS; both on CPU $SERVER_CPU, wrk -c$CONNS -d$DUR each on CPU $LOAD_CPU" >&2
ratios=""
for round in $(seq "$ROUNDS"); do
  a0=$(cpu_ticks "${pid[a]}") b0=$(cpu_ticks "${pid[b]}")
  both "$DUR"
  a1=$(cpu_ticks "${pid[a]}") b1=$(cpu_ticks "${pid[b]}")
  for f in a b; do
    if grep -q "Non-2xx" "$tmp/wrk-$f"; then echo "bench: non-2xx answers from $f" >&2; exit 1; fi
  done
  na=$(awk '/requests in/ { print $1 }' "$tmp/wrk-a") nb=$(awk '/requests in/ { print $1 }' "$tmp/wrk-b")
  ca=$(awk -v d=$((a1 - a0)) -v n="$na" -v hz="$HZ" 'BEGIN { printf "%.2f", d / hz * 1e6 / n }')
  cb=$(awk -v d=$((b1 - b0)) -v n="$nb" -v hz="$HZ" 'BEGIN { printf "%.2f", d / hz * 1e6 / n }')
  ratio=$(awk -v a="$ca" -v b="$cb" 'BEGIN { printf "%.3f", a / b }')
  echo "round $round: a $na requests, $ca us/req; b $nb requests, $cb us/req; CPU/req a/b $ratio"
  ratios="$ratios $ratio"
done
echo "CPU/req a/b, median of the rounds: $(tr ' ' '\n' <<<"$ratios" | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
echo "peak MiB: a $(($(awk '/^VmHWM:/ { print $2 }' "/proc/${pid[a]}/status") / 1024)), b $(($(awk '/^VmHWM:/ { print $2 }' "/proc/${pid[b]}/status") / 1024))"
