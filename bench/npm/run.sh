#!/usr/bin/env bash
# Cold and warm npm benchmark of actionsd against npm itself, same packages, same registry (the one
# `npm config get registry` names), A B A B with empty caches each time. Not part of `make test`.
#
#   bench/npm/run.sh [package ...]     (default: axios jsonwebtoken lodash dayjs uuid zod)
#
# Cold: actionsd lock + install + bundle into an empty cache, vs `npm install --ignore-scripts
# --no-audit --no-fund` into an empty project with an empty npm cache. Warm: the install step with
# everything cached and the lock unchanged, vs `npm ci` from a warm cache; then the whole
# start-to-ready of `actionsd serve` with an action that requires the set, minus the same without
# dependencies, vs Node requiring the set. Prints each run and the ratios.
set -euo pipefail

main() {
	local root reg pkgs # tmp is global: the EXIT trap reads it
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	pkgs=("$@")
	[[ ${#pkgs[@]} -gt 0 ]] || pkgs=(axios jsonwebtoken lodash dayjs uuid zod)
	reg=$(npm config get registry)
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/actionsd-npm-bench.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if [[ -n "${NPM_BENCH_BIN:-}" ]]; then
		cp "$NPM_BENCH_BIN" "$tmp/npm-bench"
	else
		(cd "$root" && go build -o "$tmp/npm-bench" ./bench/npm)
	fi

	local deps="" p
	for p in "${pkgs[@]}"; do deps+="\"$p\": \"latest\","; done
	deps=${deps%,}

	local ours=() theirs=() t0 t1 out
	for round in A B A B; do
		if [[ $round == A ]]; then
			rm -rf "$tmp/cache"
			t0=$(date +%s.%N)
			out=$("$tmp/npm-bench" -cache "$tmp/cache" -registry "$reg" -lock "$tmp/actionsd.lock" "${pkgs[@]}")
			t1=$(date +%s.%N)
			ours+=("$(elapsed "$t0" "$t1")")
			echo "A actionsd cold: $(elapsed "$t0" "$t1") s ($out)"
		else
			rm -rf "$tmp/npmproj" "$tmp/npmcache"
			mkdir -p "$tmp/npmproj"
			echo "{\"name\": \"bench\", \"private\": true, \"dependencies\": {$deps}}" >"$tmp/npmproj/package.json"
			t0=$(date +%s.%N)
			(cd "$tmp/npmproj" && npm install --ignore-scripts --no-audit --no-fund --cache "$tmp/npmcache" --registry "$reg" --loglevel=error >/dev/null)
			t1=$(date +%s.%N)
			theirs+=("$(elapsed "$t0" "$t1")")
			echo "B npm install cold: $(elapsed "$t0" "$t1") s ($(find "$tmp/npmproj/node_modules" -name package.json -maxdepth 3 -path '*node_modules/*/package.json' | wc -l) package.json files at the top levels)"
		fi
	done

	# Warm: everything cached, the lock unchanged.
	local warm=() npmci=()
	for round in 1 2 3; do
		out=$("$tmp/npm-bench" -warm -cache "$tmp/cache" -lock "$tmp/actionsd.lock")
		warm+=("$out")
		echo "actionsd warm: $out"
		rm -rf "$tmp/npmproj/node_modules"
		t0=$(date +%s.%N)
		(cd "$tmp/npmproj" && npm ci --ignore-scripts --no-audit --no-fund --cache "$tmp/npmcache" --prefer-offline --registry "$reg" --loglevel=error >/dev/null)
		t1=$(date +%s.%N)
		npmci+=("$(elapsed "$t0" "$t1")")
		echo "npm ci warm: $(elapsed "$t0" "$t1") s"
	done

	# Start-to-ready: `actionsd serve` on a repository whose action requires the whole set at load,
	# and on the same action without dependencies, started in turn (fresh processes, warm data
	# dirs); the difference is what the dependencies cost a restart. Node requiring the same
	# packages from the node_modules npm ci made is the scale for the JavaScript part.
	local bin="$tmp/actionsd" r
	(cd "$root" && go build -o "$bin" ./cmd/actionsd)
	for r in deps plain; do
		mkdir -p "$tmp/repo-$r/actions/bench"
		printf 'post-login: [bench]\n' >"$tmp/repo-$r/triggers.yaml"
		printf 'trigger: post-login\n' >"$tmp/repo-$r/actions/bench/action.yaml"
	done
	local requires="" uses=""
	printf 'dependencies:\n' >>"$tmp/repo-deps/actions/bench/action.yaml"
	for p in "${pkgs[@]}"; do
		printf '  %s: latest\n' "$p" >>"$tmp/repo-deps/actions/bench/action.yaml"
		requires+="require('$p');"$'\n'
	done
	printf '%s%s\n' "$requires" "exports.onExecutePostLogin = async (event, api) => {};" >"$tmp/repo-deps/actions/bench/index.js"
	printf '%s\n' "exports.onExecutePostLogin = async (event, api) => {};" >"$tmp/repo-plain/actions/bench/index.js"
	NPM_CONFIG_REGISTRY="$reg" "$bin" lock -C "$tmp/repo-deps" >/dev/null
	for r in deps plain; do
		(cd "$tmp/repo-$r" && git init -q -b main && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -qm bench)
	done
	out=$(NPM_CONFIG_REGISTRY="$reg" "$tmp/npm-bench" -ready "$bin" -runs 10 \
		-repo "$tmp/repo-deps" -data-dir "$tmp/data-deps" -repo "$tmp/repo-plain" -data-dir "$tmp/data-plain")
	echo "$out"
	local with without node_ms
	with=$(echo "$out" | sed -n 's/.*repo=0 p50_ms=\([0-9.]*\).*/\1/p')
	without=$(echo "$out" | sed -n 's/.*repo=1 p50_ms=\([0-9.]*\).*/\1/p')
	node_ms=$(cd "$tmp/npmproj" && for round in 1 2 3 4 5; do
		node -e 'const t = process.hrtime.bigint(); for (const p of process.argv.slice(1)) require(p); console.log(Number(process.hrtime.bigint() - t) / 1e6);' "${pkgs[@]}"
	done | sort -n | sed -n 3p)

	printf '%s\n' "${ours[@]}" >"$tmp/ours"
	printf '%s\n' "${theirs[@]}" >"$tmp/theirs"
	printf '%s\n' "${npmci[@]}" >"$tmp/npmci"
	printf '%s\n' "${warm[@]}" | sed 's/.*warm_ready_ms=\([0-9.]*\).*/\1/' >"$tmp/warm"
	awk 'FNR == 1 { f++ } f == 1 { o += $1; no++ } f == 2 { n += $1; nn++ } f == 3 { c += $1; nc++ } f == 4 { w += $1; nw++ }
		END {
			printf "cold: actionsd %.2f s, npm install %.2f s (means of %d): ratio %.2f (target <= 0.5)\n", o/no, n/nn, no, (o/no)/(n/nn)
			printf "warm: actionsd install step %.1f ms, npm ci from a warm cache %.2f s: ratio %.4f\n", w/nw, c/nc, (w/nw/1000)/(c/nc)
		}' "$tmp/ours" "$tmp/theirs" "$tmp/npmci" "$tmp/warm"
	awk -v w="$with" -v wo="$without" -v n="$node_ms" 'BEGIN {
		printf "start-to-ready: %.1f ms with the set, %.1f ms without: dependencies add %.1f ms (target <= 50 ms); node requires the same set in %.1f ms: ratio %.2f\n", w, wo, w - wo, n, (w - wo) / n
	}'
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

main "$@"
