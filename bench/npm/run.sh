#!/usr/bin/env bash
# Cold and warm npm benchmark of actionsd against npm itself, same packages, same registry (the one
# `npm config get registry` names), A B A B with empty caches each time. Not part of `make test`.
#
#   bench/npm/run.sh [package ...]     (default: axios jsonwebtoken lodash dayjs uuid zod)
#
# Cold: actionsd lock + install + bundle into an empty cache, vs `npm install --ignore-scripts
# --no-audit --no-fund` into an empty project with an empty npm cache. Warm: actionsd's
# start-to-ready overhead with everything cached and the lock unchanged, vs `npm ci` from a warm
# cache. Prints each run and the ratios (actionsd / npm).
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

	printf '%s\n' "${ours[@]}" >"$tmp/ours"
	printf '%s\n' "${theirs[@]}" >"$tmp/theirs"
	printf '%s\n' "${npmci[@]}" >"$tmp/npmci"
	printf '%s\n' "${warm[@]}" | sed 's/.*warm_ready_ms=\([0-9.]*\).*/\1/' >"$tmp/warm"
	awk 'FNR == 1 { f++ } f == 1 { o += $1; no++ } f == 2 { n += $1; nn++ } f == 3 { c += $1; nc++ } f == 4 { w += $1; nw++ }
		END {
			printf "cold: actionsd %.2f s, npm install %.2f s (means of %d): ratio %.2f (target <= 0.5)\n", o/no, n/nn, no, (o/no)/(n/nn)
			printf "warm: actionsd start-to-ready %.1f ms (target <= 50 ms), npm ci from a warm cache %.2f s: ratio %.4f\n", w/nw, c/nc, (w/nw/1000)/(c/nc)
		}' "$tmp/ours" "$tmp/theirs" "$tmp/npmci" "$tmp/warm"
}

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

main "$@"
