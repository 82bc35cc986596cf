#!/usr/bin/env bash
# Builds actionsd for every release platform (linux and darwin, amd64 and arm64) with cgo off, so
# that a release can never fail to build.
#
#   scripts/cross-build.sh --check     build each target to /dev/null (CI)
#   scripts/cross-build.sh --out DIR   write DIR/actionsd-<version>-<os>-<arch>.tar.gz and
#                                      DIR/SHA256SUMS (VERSION=v1.2.3 names them; default: git describe)
#
# Release builds stamp the commit (-buildvcs=true: run it from a clone, not a git worktree, where
# Go records no commit), the version and the build date (-X internal/buildinfo.version and .date),
# and are reproducible apart from that date (-trimpath).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64)

case "${1:-}" in
--check)
  for t in "${targets[@]}"; do
    echo "cross-build: ${t}"
    CGO_ENABLED=0 GOOS="${t%/*}" GOARCH="${t#*/}" go build -trimpath -o /dev/null ./cmd/actionsd
  done
  ;;
--out)
  out="${2:?--out DIR}"
  mkdir -p "$out"
  version="${VERSION:-$(git describe --tags --always --dirty)}"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  for t in "${targets[@]}"; do
    os="${t%/*}" arch="${t#*/}"
    name="actionsd-${version}-${os}-${arch}"
    mkdir -p "$work/$name"
    CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" go build -trimpath -buildvcs=true \
      -ldflags "-s -w -X github.com/actionsd/actionsd/internal/buildinfo.date=${date} -X github.com/actionsd/actionsd/internal/buildinfo.version=${version}" \
      -o "$work/$name/actionsd" ./cmd/actionsd
    cp README.md LICENSE* "$work/$name/" 2>/dev/null || true
    tar -C "$work" -czf "$out/$name.tar.gz" "$name"
    echo "cross-build: $out/$name.tar.gz"
  done
  (cd "$out" && sha256sum actionsd-"${version}"-*.tar.gz > SHA256SUMS)
  ;;
*)
  echo "usage: $0 --check | --out DIR" >&2
  exit 2
  ;;
esac
