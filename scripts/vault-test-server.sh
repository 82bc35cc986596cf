#!/usr/bin/env bash
# vault-test-server.sh prints the path of a built testing/vaultserver binary (a real in-process Vault
# for the tests), building it first when it is missing or stale.
#
# The binary is cached outside the repository, named by a hash of the module's go.mod, go.sum and
# main.go:
#   ${ACTIONSD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/actionsd}/vault-test-server-<hash>
# Only the path goes to standard output; build output goes to standard error. A cold build takes
# several minutes (Vault is large); later calls print the cached path at once.
#
# Usage: ACTIONSD_VAULT_TEST_SERVER=$(scripts/vault-test-server.sh) go test ./...
set -euo pipefail

# All in a function, so bash has read the whole script before it runs any of it.
main() {
	local root src cache hash bin start # tmp is global: the EXIT trap reads it
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	src="$root/testing/vaultserver"
	cache="${ACTIONSD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/actionsd}"

	if command -v sha256sum >/dev/null 2>&1; then
		sha() { sha256sum; }
	else
		sha() { shasum -a 256; }
	fi
	hash=$(cd "$src" && cat go.mod go.sum main.go | sha | cut -c1-16)
	bin="$cache/vault-test-server-$hash"

	if [[ ! -x "$bin" ]]; then
		mkdir -p "$cache"
		# Build into a temporary directory in the cache (go build will not overwrite a file that is not
		# an executable), then rename: concurrent callers each build, and the last rename wins whole.
		tmp=$(mktemp -d "$cache/.vault-test-server-build.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		echo "vault-test-server: building $bin (a cold build takes several minutes)" >&2
		start=$SECONDS
		(cd "$src" && go build -buildvcs=false -o "$tmp/vault-test-server" .) >&2
		mv -f "$tmp/vault-test-server" "$bin"
		rm -rf "$tmp"
		trap - EXIT
		echo "vault-test-server: built in $((SECONDS - start))s" >&2
		# Drop builds of older sources that nothing has used for a week.
		find "$cache" -maxdepth 1 -type f -name 'vault-test-server-*' ! -name "${bin##*/}" -mtime +7 -delete 2>/dev/null || true
	else
		touch "$bin" 2>/dev/null || true # marks it used, for the pruning above
	fi

	printf '%s\n' "$bin"
}

main "$@"
