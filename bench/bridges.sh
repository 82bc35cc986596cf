#!/usr/bin/env bash
# bench/bridges.sh: what a bridge adds to the execute path's CPU per request, on the real
# `actionsd serve` pinned to CPU 0 with the load generator (bench/bridgeload, which signs every
# request beforehand: wrk cannot, and the bridges refuse a replay) pinned to CPU 1. The daemon
# serves bench/actions/claims on post-login and bench/actions/signup on pre-user-registration, with
# every bridge's secret. Each round loads, in rotating order, each bridge's route and its baseline:
# POST /v1/triggers/{trigger}/execute with the very event the bridge makes of its body (made by
# internal/bridges in bench/bridgeload), so that the two differ by the bridge's work only.
#   auth0     POST /v1/bridges/auth0/post-login          execute           bench/event.json with a
#                                                                          transaction of its own
#   supabase  POST /v1/bridges/supabase/custom-access-token  execute-supabase
#   zitadel   POST /v1/bridges/zitadel (preaccesstoken)  execute-zitadel
#   kratos    POST /v1/bridges/kratos/registration       execute-kratos    (pre-user-registration:
#             Kratos' login hook can only deny, and the claims would fail it)
# CPU per request is the daemon's utime + stime (/proc/<pid>/stat) over the run divided by the
# requests answered. It prints the medians and each route's ratio to its baseline (the median of
# the per-round ratios).
#
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (32), BENCH_ROUNDS (5), BENCH_SERVER_CPU (0),
# BENCH_LOAD_CPU (1), BENCH_ROUTES (all eight; a bridge needs its baseline with it), BENCH_BEFORE=REV
# adds actionsd built from git revision REV, loaded the same way, with the ratios of actionsd to it.
# BENCH_PAIRED=1 loads each bridge and its baseline in turns of 1 s over the same connections for
# BENCH_DURATION instead (bridgeload -pair: CPU per request of each, from the turns' /proc reads),
# which a machine whose load changes from one second to the next disturbs far less than rounds of
# whole runs. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

DUR=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
ROUNDS=${BENCH_ROUNDS:-5}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
BEFORE=${BENCH_BEFORE:-}
PAIRED=${BENCH_PAIRED:-}
TOKEN=bench-token
ROUTES=${BENCH_ROUTES:-execute auth0 execute-supabase supabase execute-zitadel zitadel execute-kratos kratos}
declare -A baseline=([execute]=execute [auth0]=execute [execute-supabase]=execute-supabase [supabase]=execute-supabase
  [execute-zitadel]=execute-zitadel [zitadel]=execute-zitadel [execute-kratos]=execute-kratos [kratos]=execute-kratos)
TARGETS="actionsd"
if [ -n "$BEFORE" ]; then TARGETS="actionsd before"; fi
declare -A port=([actionsd]=8113 [before]=8115)

# shellcheck source=bench/lib.sh
source bench/lib.sh

bench_actionsd actionsd
go build -o "$tmp/bridgeload" ./bench/bridgeload
if [ -n "$BEFORE" ]; then bench_actionsd before "$BEFORE"; fi

r="$tmp/repo"
mkdir -p "$r/actions/claims" "$r/actions/signup"
cp bench/actions/claims/index.js "$r/actions/claims/"
cp bench/actions/signup/index.js "$r/actions/signup/"
printf 'trigger: post-login\n' >"$r/actions/claims/action.yaml"
printf 'trigger: pre-user-registration\n' >"$r/actions/signup/action.yaml"
printf 'post-login: [claims]\npre-user-registration: [signup]\n' >"$r/triggers.yaml"
git -C "$r" init -q -b main && git -C "$r" add -A
git -C "$r" -c user.name=bench -c user.email=bench@example.invalid commit -qm claims
printf 'v1,whsec_%s\n' "$(head -c 32 /dev/urandom | base64)" >"$tmp/supabase-secret"
printf '{}\n' >"$tmp/secrets.yaml"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/auth0-secret"
head -c 24 /dev/urandom | base64 | tr -d '\n' >"$tmp/zitadel-secret"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/kratos-secret"

declare -A pid
for t in $TARGETS; do
  bin="$tmp/actionsd"; [ "$t" = before ] && bin="$tmp/before"
  ACTIONSD_TOKEN=$TOKEN taskset -c "$SERVER_CPU" "$bin" serve --repo "$r" --data-dir "$tmp/data-$t" \
    --addr "127.0.0.1:${port[$t]}" --secrets-file "$tmp/secrets.yaml" --poll-interval 0 --bridge-supabase-secret-file "$tmp/supabase-secret" \
    --bridge-auth0-secret-file "$tmp/auth0-secret" --bridge-zitadel-signing-key-file "$tmp/zitadel-secret" \
    --bridge-kratos-token-file "$tmp/kratos-secret" >"$tmp/$t.log" 2>&1 &
  pid[$t]=$!
  pids+=("$!")
  for _ in $(seq 300); do
    if curl -sf -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" --data @bench/event.json "http://127.0.0.1:${port[$t]}/v1/triggers/post-login/execute"; then break; fi
    if ! kill -0 "${pid[$t]}" 2>/dev/null; then echo "bench: $t exited:" >&2; cat "$tmp/$t.log" >&2; exit 1; fi
    sleep 0.1
  done
done

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
HZ=$(getconf CLK_TCK)
load() { # target route duration: prints "req/s cpu-µs-per-request"
  local t0 t1 out
  t0=$(cpu_ticks "${pid[$1]}")
  out=$(taskset -c "$LOAD_CPU" "$tmp/bridgeload" -route "$2" -addr "127.0.0.1:${port[$1]}" -token $TOKEN \
    -supabase-secret "$tmp/supabase-secret" -auth0-secret "$tmp/auth0-secret" -zitadel-secret "$tmp/zitadel-secret" \
    -kratos-secret "$tmp/kratos-secret" -c "$CONNS" -d "$3")
  t1=$(cpu_ticks "${pid[$1]}")
  read -r n secs bad <<<"$out"
  if [ "$bad" != 0 ]; then echo "bench: $bad failed requests to $1 $2" >&2; exit 1; fi
  awk -v n="$n" -v s="$secs" -v d=$((t1 - t0)) -v hz="$HZ" 'BEGIN { printf "%.0f %.2f", n / s, d / hz * 1e6 / n }'
}

if [ -n "$PAIRED" ]; then
  # Each bridge and its baseline in 1 s turns over the same connections (bridgeload -pair), for
  # BENCH_DURATION: the turns see the same neighbours on a shared machine, which rounds of 10 s
  # each do not.
  echo "$(go version | cut -d' ' -f3), servers on CPU $SERVER_CPU, bridgeload -c$CONNS -pair -slice 1s -d$DUR on CPU $LOAD_CPU" >&2
  printf "%-9s %-9s %11s %-17s %11s %9s\n" server route "CPU us/req" baseline "CPU us/req" "CPU vs it"
  for t in $TARGETS; do
    for rt in $ROUTES; do
      b=${baseline[$rt]}
      [ "$b" = "$rt" ] && continue
      L() { taskset -c "$LOAD_CPU" "$tmp/bridgeload" -addr "127.0.0.1:${port[$t]}" -token $TOKEN -supabase-secret "$tmp/supabase-secret" \
        -auth0-secret "$tmp/auth0-secret" -zitadel-secret "$tmp/zitadel-secret" -kratos-secret "$tmp/kratos-secret" -c "$CONNS" -n 400000 "$@"; }
      L -route "$rt" -d 2s >/dev/null
      L -route "$b" -d 2s >/dev/null
      read -r na ca nb cb bad <<<"$(L -route "$rt" -pair "$b" -pid "${pid[$t]}" -slice 1s -d "$DUR")"
      if [ "$bad" != 0 ]; then echo "bench: $bad failed requests to $t $rt/$b" >&2; exit 1; fi
      awk -v t="$t" -v a="$rt" -v b="$b" -v na="$na" -v ca="$ca" -v nb="$nb" -v cb="$cb" \
        'BEGIN { printf "%-9s %-9s %11.2f %-17s %11.2f %9.3f\n", t, a, ca / na * 1e6, b, cb / nb * 1e6, (ca / na) / (cb / nb) }'
    done
  done
  exit 0
fi
echo "$(go version | cut -d' ' -f3), servers on CPU $SERVER_CPU, bridgeload -c$CONNS -d$DUR on CPU $LOAD_CPU, $ROUNDS rounds" >&2
for t in $TARGETS; do for rt in $ROUTES; do load "$t" "$rt" 2s >/dev/null; done; done # warm
results="$tmp/results"
: >"$results"
for round in $(seq "$ROUNDS"); do
  set -- $TARGETS
  for t in "$@"; do
    routes=($ROUTES)
    for i in "${!routes[@]}"; do
      rt=${routes[$(((i + round) % ${#routes[@]}))]}
      echo "$t $rt $round $(load "$t" "$rt" "$DUR")" | tee -a "$results" >&2
    done
  done
done

bases=""
for rt in $ROUTES; do bases="$bases ${baseline[$rt]}"; done
awk -v targets="$TARGETS" -v routes="$ROUTES" -v bases="$bases" '
  function median(list,   a, n, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { m[$1 " " $2 " rps"] = m[$1 " " $2 " rps"] " " $4; m[$1 " " $2 " cpu"] = m[$1 " " $2 " cpu"] " " $5; c[$1 " " $2 " " $3] = $5; rounds[$3] = 1 }
  END {
    nt = split(targets, ts, " "); nr = split(routes, rs, " "); split(bases, bs, " ")
    printf "%-9s %-17s %9s %11s %-17s %9s %14s\n", "server", "route", "req/s", "CPU us/req", "baseline", "CPU vs it", "CPU vs before"
    for (i = 1; i <= nt; i++) for (j = 1; j <= nr; j++) {
      k = ts[i] " " rs[j]; l = ""; lb = ""
      for (x in rounds) { l = l " " c[k " " x] / c[ts[i] " " bs[j] " " x]; if (nt > 1) lb = lb " " c[k " " x] / c["before " rs[j] " " x] }
      printf "%-9s %-17s %9.0f %11.2f %-17s %9.3f %14s\n", ts[i], rs[j], median(m[k " rps"]), median(m[k " cpu"]), bs[j], median(l), (nt > 1 ? sprintf("%.3f", median(lb)) : "-")
    }
  }' "$results"
