#!/usr/bin/env bash
# kratos-test-server.sh prints the path of a built Ory Kratos binary (the real peer of the Kratos
# bridge's tests in testing/kratos), building it first when it is missing.
#
# Kratos is built from its released module on the Go module proxy (go mod download), inside its own
# module directory: its go.mod has replace directives, one of them to a directory inside the module,
# so it cannot be built as a dependency of another module. The sqlite build tag (and cgo) gives it the
# SQLite driver the tests run it with (dsn: memory), as Kratos' own Dockerfile builds it.
#
# The binary is cached outside the repository, named by the version:
#   ${ACTIONSD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/actionsd}/kratos-<version>
# Only the path goes to standard output; build output goes to standard error. A cold build takes
# minutes (Kratos is large and SQLite is C); later calls print the cached path at once.
#
# Usage: ACTIONSD_KRATOS_TEST_SERVER=$(scripts/kratos-test-server.sh) go test ./... (in testing/kratos)
# ACTIONSD_KRATOS_VERSION chooses another released version (default v1.3.1).
set -euo pipefail

# All in a function, so bash has read the whole script before it runs any of it.
main() {
	local version cache bin dir start # tmp is global: the EXIT trap reads it
	version="${ACTIONSD_KRATOS_VERSION:-v1.3.1}"
	cache="${ACTIONSD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/actionsd}"
	bin="$cache/kratos-$version"

	if [[ ! -x "$bin" ]]; then
		mkdir -p "$cache"
		# Downloaded from outside any module, so that no go.mod or go.sum of the caller's changes.
		dir=$(cd / && GOFLAGS= GOWORK=off go mod download -json "github.com/ory/kratos@$version" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
		if [[ -z "$dir" || ! -d "$dir" ]]; then
			echo "kratos-test-server: go mod download github.com/ory/kratos@$version gave no directory" >&2
			exit 1
		fi
		# Build into a temporary directory in the cache, then rename: concurrent callers each build,
		# and the last rename wins whole.
		tmp=$(mktemp -d "$cache/.kratos-build.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		echo "kratos-test-server: building $bin (a cold build takes minutes)" >&2
		start=$SECONDS
		# GOFLAGS is cleared: a caller's -mod=mod would make go try to write Kratos' go.mod, in the
		# read-only module cache.
		(cd "$dir" && GOFLAGS= GOWORK=off CGO_ENABLED=1 GOTOOLCHAIN=local \
			go build -buildvcs=false -tags sqlite \
			-ldflags "-X github.com/ory/kratos/driver/config.Version=$version" \
			-o "$tmp/kratos" .) >&2
		mv -f "$tmp/kratos" "$bin"
		rm -rf "$tmp"
		trap - EXIT
		echo "kratos-test-server: built in $((SECONDS - start))s" >&2
	fi

	printf '%s\n' "$bin"
}

main "$@"
