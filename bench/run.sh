#!/usr/bin/env bash
# bench/run.sh: actionsd against its peer and its floor over loopback HTTP, measured per core.
# Every server is pinned to CPU 0 and the load generator (wrk, one thread) to CPU 1, so that no
# server can borrow a second core and wrk takes none from them. For each action (claims-only, the
# quickstart whose logger module fetches from a loopback sink, and a compute-heavy transform and
# sort of 2,000 objects) it loads:
#   node      Node.js loading the same action file with a minimal recording api (bench/node)
#   floor     a plain Go net/http handler that decodes the event and writes a fixed reply
#             (bench/server -mode floor), under the garbage collector target actionsd serve sets
#   actionsd  the real `actionsd serve` binary as an operator runs it: a git repository holding
#             the action (and the logger module published as v1), a bearer token, secrets from a
#             file, the default log level and metrics
# Each gets the same request: POST to actionsd's route with the bearer token and bench/event.json.
# The rounds alternate the servers (and rotate their order), so that drift on a shared machine
# hits each alike. Per run it records req/s, p50 and p99 (wrk) and the CPU time per request: the
# server's utime + stime (/proc/<pid>/stat, every thread) over the run divided by the requests wrk
# completed. It prints the medians over the rounds, and actionsd's ratios to node and the floor:
# CPU per request (below 1: less CPU than the other) and req/s, each the median of the per-round
# ratios.
#
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (32), BENCH_ROUNDS (5), BENCH_SCENARIOS
# ("claims quickstart compute"), BENCH_LOG_LEVEL (actionsd's --log-level, default info as serve's),
# BENCH_SERVER_CPU (0) and BENCH_LOAD_CPU (1). BENCH_BEFORE=REV|BINARY adds a fourth server to the
# rotation, "before": actionsd built from git revision REV of this repository (or an actionsd
# binary), to compare a change within one run; BENCH_BEFORE_FLAGS adds flags to its serve command
# (BENCH_BEFORE=HEAD BENCH_BEFORE_FLAGS="--gc-percent 100" compares a setting). The ratios of
# actionsd to "before" are printed too. Needs go, git, node, taskset and wrk (installed from
# Debian when missing), and two CPUs. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

DUR=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
ROUNDS=${BENCH_ROUNDS:-5}
SCENARIOS=${BENCH_SCENARIOS:-claims quickstart compute}
LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
BEFORE=${BENCH_BEFORE:-}
BEFORE_FLAGS=${BENCH_BEFORE_FLAGS:-}
TOKEN=bench-token
NODE_PORT=8101 FLOOR_PORT=8102 ACTIONSD_PORT=8103 SINK_PORT=8104 BEFORE_PORT=8105
TARGETS="node floor actionsd"
if [ -n "$BEFORE" ]; then TARGETS="$TARGETS before"; fi

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
for c in node taskset git; do command -v $c >/dev/null || { echo "bench: $c is required" >&2; exit 1; }; done
if [ "$(nproc --all)" -lt 2 ]; then echo "bench: two CPUs are needed (servers on one, wrk on the other)" >&2; exit 1; fi

# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_actionsd actionsd
go build -o "$tmp/server" ./bench/server
if [ -n "$BEFORE" ]; then bench_actionsd before "$BEFORE"; fi
echo "node $(node --version), $(go version | cut -d' ' -f3), servers on CPU $SERVER_CPU, wrk -t1 -c$CONNS -d$DUR on CPU $LOAD_CPU, $ROUNDS rounds, actionsd --log-level $LOG_LEVEL" >&2

# The Node peer and the floor read these.
export BENCH_MODULE_SECRETS="{\"logger\":{\"SERVICE_URL\":\"http://127.0.0.1:$SINK_PORT/log\",\"API_KEY\":\"bench-key\"}}"
export BENCH_EVENT=bench/event.json

# The wrk script: POST the event with the bearer token (node and the floor ignore it).
cat >"$tmp/post.lua" <<LUA
local f = assert(io.open("bench/event.json", "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA

# repo SCENARIO: a git repository with the action bound to post-login; the quickstart's also holds
# the logger module, published as v1 by its tag.
repo() {
  local r="$tmp/repo-$1"
  if [ -d "$r" ]; then echo "$r"; return; fi
  mkdir -p "$r/actions/$1"
  cp "bench/actions/$1/index.js" "$r/actions/$1/"
  printf 'post-login: [%s]\n' "$1" >"$r/triggers.yaml"
  if grep -q "require('actions:logger')" "bench/actions/$1/index.js"; then
    mkdir -p "$r/modules/logger"
    cp bench/modules/logger/index.js "$r/modules/logger/"
    printf 'secrets: [SERVICE_URL, API_KEY]\n' >"$r/modules/logger/module.yaml"
    printf 'trigger: post-login\nmodules: {logger: 1}\n' >"$r/actions/$1/action.yaml"
  else
    printf 'trigger: post-login\n' >"$r/actions/$1/action.yaml"
  fi
  git -C "$r" init -q -b main
  git -C "$r" add -A
  git -C "$r" -c user.name=bench -c user.email=bench@example.invalid commit -qm "$1"
  if [ -d "$r/modules/logger" ]; then git -C "$r" tag modules/logger/v1; fi
  echo "$r"
}
cat >"$tmp/secrets.yaml" <<YAML
modules:
  logger: {SERVICE_URL: "http://127.0.0.1:$SINK_PORT/log", API_KEY: "bench-key"}
YAML

start() { # name cpu command... ; sets the pid of the started process in $last
  taskset -c "$2" "${@:3}" >"$tmp/$1.log" 2>&1 &
  last=$!
  pids+=("$last")
}
wait_ok() { # url auth: waits until url answers 2xx
  for _ in $(seq 300); do
    if curl -sf -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" --data @bench/event.json "$1"; then return 0; fi
    sleep 0.1
  done
  echo "bench: nothing answers $1" >&2
  exit 1
}
serve() { # name binary port scenario [flag...]
  start "$1-$4" "$SERVER_CPU" env ACTIONSD_TOKEN=$TOKEN "$2" serve --repo "$(repo "$4")" --data-dir "$tmp/data-$1-$4" \
    --addr "127.0.0.1:$3" --secrets-file "$tmp/secrets.yaml" --egress-allow 127.0.0.1 --poll-interval 0 --log-level "$LOG_LEVEL" "${@:5}"
}

# The sink is the world outside the servers: it runs beside wrk.
start sink "$LOAD_CPU" "$tmp/server" -mode sink -addr "127.0.0.1:$SINK_PORT"
start floor "$SERVER_CPU" "$tmp/server" -mode floor -addr "127.0.0.1:$FLOOR_PORT"
floor_pid=$last
wait_ok "http://127.0.0.1:$SINK_PORT/log"
wait_ok "http://127.0.0.1:$FLOOR_PORT/v1/triggers/post-login/execute"

# cpu_ticks PID: the process's utime + stime in clock ticks (fields 14 and 15 of stat, counted
# after the command name, which may hold spaces).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
HZ=$(getconf CLK_TCK)

# to_ms converts wrk's "1.23ms", "456.78us", "1.02s" into milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

# load name pid url: prints "req/s cpu-µs-per-request p50ms p99ms".
load() {
  local out t0 t1 n rps p50 p99
  t0=$(cpu_ticks "$2")
  out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$DUR" --latency -s "$tmp/post.lua" "$3")
  t1=$(cpu_ticks "$2")
  if grep -q "Non-2xx" <<<"$out"; then echo "bench: non-2xx answers from $1 ($3):" >&2; echo "$out" >&2; exit 1; fi
  if grep -q "Socket errors" <<<"$out"; then echo "bench: $1: $(grep 'Socket errors' <<<"$out")" >&2; fi
  n=$(awk '/requests in/ { print $1 }' <<<"$out")
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  echo "$rps $(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$HZ" 'BEGIN { printf "%.2f", d / hz * 1e6 / n }') $(to_ms "$p50") $(to_ms "$p99")"
}

# Every server gets the same request: actionsd's route, the token, the event.
route=/v1/triggers/post-login/execute
declare -A url=(
  [node]="http://127.0.0.1:$NODE_PORT$route"
  [floor]="http://127.0.0.1:$FLOOR_PORT$route"
  [actionsd]="http://127.0.0.1:$ACTIONSD_PORT$route"
  [before]="http://127.0.0.1:$BEFORE_PORT$route"
)
declare -A pid=([floor]=$floor_pid)
read -r -a targets <<<"$TARGETS"
results="$tmp/results" rss="$tmp/rss"
: >"$results"
: >"$rss"
for sc in $SCENARIOS; do
  start "node-$sc" "$SERVER_CPU" node bench/node/server.js "$NODE_PORT" "bench/actions/$sc" bench/modules
  pid[node]=$last
  serve actionsd "$tmp/actionsd" "$ACTIONSD_PORT" "$sc"
  pid[actionsd]=$last
  if [ -n "$BEFORE" ]; then
    # shellcheck disable=SC2086 # BENCH_BEFORE_FLAGS is a list of flags
    serve before "$tmp/before" "$BEFORE_PORT" "$sc" $BEFORE_FLAGS
    pid[before]=$last
  fi
  # Each answers the action, then runs warm (JIT, pools, the collector's pacing).
  for t in "${targets[@]}"; do
    wait_ok "${url[$t]}"
    if [ "$t" != floor ] && ! curl -s -X POST -H "Authorization: Bearer $TOKEN" --data @bench/event.json "${url[$t]}" | grep -q '"outcome":"success"'; then
      echo "bench: $t failed $sc" >&2
      cat "$tmp/$t-$sc.log" >&2
      exit 1
    fi
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d3s -s "$tmp/post.lua" "${url[$t]}" >/dev/null
  done
  for r in $(seq "$ROUNDS"); do
    nt=${#targets[@]}
    for i in $(seq 0 $((nt - 1))); do
      t=${targets[$(((i + r) % nt))]}
      echo "$sc $t $r $(load "$t" "${pid[$t]}" "${url[$t]}")" | tee -a "$results" >&2
    done
  done
  # Peak resident memory of each server, at the end of the action's rounds.
  for t in "${targets[@]}"; do
    echo "$sc $t rss $(awk '/^VmHWM:/ { print $2 }' "/proc/${pid[$t]}/status")" >>"$rss"
  done
  for t in node actionsd before; do
    if [ -n "${pid[$t]:-}" ]; then kill "${pid[$t]}"; wait "${pid[$t]}" 2>/dev/null || true; unset "pid[$t]"; fi
  done
done

# Medians over the rounds, and the ratios of actionsd (and "before") to node, the floor and
# "before": the ratio of the medians, and in parentheses the median of the ratios within a round.
awk -v targets="$TARGETS" -v scenarios="$SCENARIOS" '
  function median(list,   a, n, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  # ratio: "m (p)" of what ("cpu" or "rps") of server a to server b in action sc.
  function ratio(sc, a, b, what,   x, l) {
    l = ""
    for (x in rounds) l = l " " r[sc " " a " " x " " what] / r[sc " " b " " x " " what]
    return sprintf("%.3f (%.3f)", median(m[sc " " a " " what]) / median(m[sc " " b " " what]), median(l))
  }
  FILENAME == ARGV[1] { peak[$1 " " $2] = $4; next }
  { k = $1 " " $2; m[k " rps"] = m[k " rps"] " " $4; m[k " cpu"] = m[k " cpu"] " " $5; m[k " p50"] = m[k " p50"] " " $6
    m[k " p99"] = m[k " p99"] " " $7; r[k " " $3 " rps"] = $4; r[k " " $3 " cpu"] = $5; rounds[$3] = 1 }
  END {
    nt = split(targets, names, " "); ns = split(scenarios, scs, " ")
    printf "%-11s %-9s %9s %11s %9s %9s %9s\n", "action", "server", "req/s", "CPU us/req", "p50 ms", "p99 ms", "peak MiB"
    for (s = 1; s <= ns; s++) for (t = 1; t <= nt; t++) {
      k = scs[s] " " names[t]
      printf "%-11s %-9s %9.0f %11.2f %9.3f %9.3f %9.0f\n", scs[s], names[t], median(m[k " rps"]), median(m[k " cpu"]),
        median(m[k " p50"]), median(m[k " p99"]), peak[k] / 1024
    }
    print ""
    printf "%-11s %-9s %-17s %-17s %-17s %-17s\n", "action", "server", "CPU/req vs node", "CPU/req vs floor", "req/s vs node", "req/s vs floor"
    for (s = 1; s <= ns; s++) for (t = 3; t <= nt; t++)
      printf "%-11s %-9s %-17s %-17s %-17s %-17s\n", scs[s], names[t], ratio(scs[s], names[t], "node", "cpu"),
        ratio(scs[s], names[t], "floor", "cpu"), ratio(scs[s], names[t], "node", "rps"), ratio(scs[s], names[t], "floor", "rps")
    if (nt < 4) exit
    print ""
    printf "%-11s %-9s %-17s %-17s\n", "action", "server", "CPU/req vs before", "req/s vs before"
    for (s = 1; s <= ns; s++)
      printf "%-11s %-9s %-17s %-17s\n", scs[s], "actionsd", ratio(scs[s], "actionsd", "before", "cpu"), ratio(scs[s], "actionsd", "before", "rps")
  }' "$rss" "$results"
