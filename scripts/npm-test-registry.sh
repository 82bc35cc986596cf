#!/usr/bin/env bash
# npm-test-registry.sh runs a real npm registry for the tests: Verdaccio, installed from the npm
# registry with npm into a cache outside the repository, listening on loopback, with no uplink and
# authentication on, seeded with the fixture packages of testing/npm/fixtures by `npm publish`.
#
#   eval "$(scripts/npm-test-registry.sh start)"   # prints export lines:
#       ACTIONSD_NPM_TEST_REGISTRY  the registry's URL (http://127.0.0.1:<port>/)
#       ACTIONSD_NPM_TEST_TOKEN     a token of the registry's test user
#       ACTIONSD_NPM_TEST_PID, ACTIONSD_NPM_TEST_DIR   for stop
#   scripts/npm-test-registry.sh stop             # reads ACTIONSD_NPM_TEST_PID and _DIR
#
# Verdaccio 6.8.0 is cached at
#   ${ACTIONSD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/actionsd}/verdaccio-6.8.0
# (it installs with `overrides` pinning node-fetch to 2.7.0). Needs node and npm. Only the export
# lines go to standard output; progress goes to standard error.
set -euo pipefail

readonly VERDACCIO_VERSION=6.8.0

main() {
	case "${1:-}" in
	start) start ;;
	stop) stop ;;
	*)
		echo "usage: $0 start|stop" >&2
		exit 2
		;;
	esac
}

install_verdaccio() {
	local cache dir tmp
	cache="${ACTIONSD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/actionsd}"
	dir="$cache/verdaccio-$VERDACCIO_VERSION"
	if [[ -x "$dir/node_modules/.bin/verdaccio" ]]; then
		printf '%s\n' "$dir"
		return
	fi
	command -v npm >/dev/null || {
		echo "npm-test-registry: npm is not installed (apt-get install nodejs npm)" >&2
		exit 1
	}
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.verdaccio-install.XXXXXX")
	cat >"$tmp/package.json" <<EOF
{"name": "actionsd-test-registry", "private": true,
 "dependencies": {"verdaccio": "$VERDACCIO_VERSION"},
 "overrides": {"node-fetch": "2.7.0"}}
EOF
	echo "npm-test-registry: installing verdaccio $VERDACCIO_VERSION into $dir" >&2
	local try
	for try in 1 2; do
		if (cd "$tmp" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error) >&2; then
			break
		fi
		[[ $try == 2 ]] && {
			rm -rf "$tmp"
			exit 1
		}
		sleep 2
	done
	rm -rf "$dir"
	mv "$tmp" "$dir"
	printf '%s\n' "$dir"
}

free_port() {
	node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start() {
	local root verdaccio work port url token pid
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	verdaccio=$(install_verdaccio)
	work=$(mktemp -d "${TMPDIR:-/tmp}/actionsd-npm-registry.XXXXXX")
	port=$(free_port)
	url="http://127.0.0.1:$port/"
	cat >"$work/config.yaml" <<EOF
storage: $work/storage
auth:
  htpasswd:
    file: $work/htpasswd
    max_users: 10
uplinks: {}
packages:
  '@*/*':
    access: \$authenticated
    publish: \$authenticated
  '**':
    access: \$authenticated
    publish: \$authenticated
server:
  keepAliveTimeout: 60
web:
  enable: false
max_body_size: 50mb
listen: 127.0.0.1:$port
log: {type: file, path: $work/verdaccio.log, level: warn}
EOF
	# setsid: the registry outlives this script and is stopped by pid.
	setsid "$verdaccio/node_modules/.bin/verdaccio" --config "$work/config.yaml" >"$work/stdout.log" 2>&1 </dev/null &
	pid=$!
	local i
	for i in $(seq 1 100); do
		if curl -fsS -o /dev/null "${url}-/ping" 2>/dev/null; then
			break
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "npm-test-registry: verdaccio exited:" >&2
			cat "$work/stdout.log" >&2
			exit 1
		fi
		sleep 0.2
	done
	token=$(curl -fsS -X PUT -H 'Content-Type: application/json' \
		-d '{"name": "actionsd-test", "password": "actionsd-test-password"}' \
		"${url}-/user/org.couchdb.user:actionsd-test" |
		node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => console.log(JSON.parse(s).token));')
	if [[ -z "$token" || "$token" == undefined ]]; then
		echo "npm-test-registry: could not create the test user" >&2
		kill "$pid"
		exit 1
	fi
	printf '//127.0.0.1:%s/:_authToken=%s\n' "$port" "$token" >"$work/npmrc"
	local fixture tag
	for fixture in "$root"/testing/npm/fixtures/*/; do
		tag=latest
		case "$fixture" in *-beta*/ | *-rc*/ | *-alpha*/) tag=next ;; esac
		(cd "$fixture" && npm publish --registry "$url" --userconfig "$work/npmrc" --tag "$tag" \
			--ignore-scripts --loglevel=error >"$work/publish.log" 2>&1) || {
			echo "npm-test-registry: npm publish $fixture failed:" >&2
			cat "$work/publish.log" >&2
			kill "$pid"
			exit 1
		}
	done
	# Metadata as old packages on the public registry carry it, which npm publish would normalise:
	# a fixture's registry.json is merged into its stored version document ("a.b" names a nested
	# field, null removes it). Verdaccio reads the storage on each request.
	for fixture in "$root"/testing/npm/fixtures/*/; do
		[[ -f "$fixture/registry.json" ]] || continue
		node -e '
const fs = require("fs"), path = require("path");
const [fixture, storage] = process.argv.slice(1);
const pkg = JSON.parse(fs.readFileSync(path.join(fixture, "package.json")));
const file = path.join(storage, pkg.name, "package.json");
const doc = JSON.parse(fs.readFileSync(file));
const v = doc.versions[pkg.version];
for (const [key, val] of Object.entries(JSON.parse(fs.readFileSync(path.join(fixture, "registry.json"))))) {
  const parts = key.split("."), last = parts.pop();
  let o = v;
  for (const p of parts) o = o[p];
  if (val === null) delete o[last]; else o[last] = val;
}
fs.writeFileSync(file, JSON.stringify(doc, null, 2));
' "$fixture" "$work/storage" || {
			echo "npm-test-registry: rewriting the metadata of $fixture failed" >&2
			kill "$pid"
			exit 1
		}
	done
	# A tarball that does not match its recorded integrity, written directly to the storage.
	local bad="$work/storage/actionsd-bad-tarball/actionsd-bad-tarball-1.0.0.tgz"
	if [[ ! -f "$bad" ]]; then
		echo "npm-test-registry: $bad not found in the storage" >&2
		kill "$pid"
		exit 1
	fi
	cp "$work/storage/actionsd-plain/actionsd-plain-1.0.0.tgz" "$bad"
	echo "npm-test-registry: verdaccio $VERDACCIO_VERSION on $url (pid $pid)" >&2
	printf 'export ACTIONSD_NPM_TEST_REGISTRY=%q\n' "$url"
	printf 'export ACTIONSD_NPM_TEST_TOKEN=%q\n' "$token"
	printf 'export ACTIONSD_NPM_TEST_PID=%q\n' "$pid"
	printf 'export ACTIONSD_NPM_TEST_DIR=%q\n' "$work"
}

stop() {
	if [[ -n "${ACTIONSD_NPM_TEST_PID:-}" ]]; then
		kill "$ACTIONSD_NPM_TEST_PID" 2>/dev/null || true
	fi
	if [[ -n "${ACTIONSD_NPM_TEST_DIR:-}" && "$ACTIONSD_NPM_TEST_DIR" == */actionsd-npm-registry.* ]]; then
		rm -rf "$ACTIONSD_NPM_TEST_DIR"
	fi
}

main "$@"
