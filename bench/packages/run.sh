#!/usr/bin/env bash
# bench/packages/run.sh: package work in the runner against Node, same JavaScript, same inputs,
# same iteration counts (bench/packages/main.go; the cases are bench/packages/cases/*.js):
#   sign      node-forge RSA-2048 PKCS#1 v1.5 signature over SHA-256 (pure-JS big integers)
#   keygen    node-forge RSA-1024 key pair from a fixed-seed PRNG
#   hash      crypto-js SHA-256 and MD5 of a 64 KiB string
#   schema    Ajv compile of a schema (generated code, new Function) + validate 500 records
#   template  Handlebars render of a compiled template over 300 rows
#   lodash    groupBy / sumBy / countBy / sortBy / map / orderBy over 5,000 records
# Prints case, Node ms/op, actionsd ms/op, the ratio and the geometric mean of the ratios.
#
#   bench/packages/run.sh [flags]     e.g. -cases sign,hash  -scale 0.5  -no-node -cpuprofile cpu.out
#
# The packages come from the registry npm is set to (`npm config get registry`), at the pinned
# versions in main.go, into a cache outside the repository: BENCH_PACKAGES_CACHE, default
# ${XDG_CACHE_HOME:-~/.cache}/actionsd-bench-packages (Node's node_modules under node/, actionsd's
# npm cache under actionsd/). The RSA key of `sign` is generated per run and deleted after.
# Needs go, node and npm. Not part of the test suite. A shared machine is noisy: compare runs made
# one after the other, not across days.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${BENCH_PACKAGES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/actionsd-bench-packages}
reg=$(npm config get registry)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/packages-bench" ./bench/packages
exec_args=(-cache "$cache" -registry "$reg" "$@")
"$bin/packages-bench" "${exec_args[@]}"
