# The test command (README): builds the in-process Vault test server once per machine into a cache
# outside the repository, then runs every test against it.
GO ?= go

.PHONY: test race bench vault-test-server

# It also starts a local npm registry (Verdaccio, loopback, no uplink, auth on) seeded with
# testing/npm/fixtures, exports its URL and token to the tests, and stops it when the tests end.
test:
	@vault="$$(scripts/vault-test-server.sh)" && \
	npm_registry="$$(scripts/npm-test-registry.sh start)" && eval "$$npm_registry" && \
	trap 'scripts/npm-test-registry.sh stop' EXIT && \
	ACTIONSD_VAULT_TEST_SERVER="$$vault" $(GO) test -count=1 -timeout 30m ./...

# The packages where goroutines share the most (chunk compiles, bundling, the resolver, the
# reconciler, validate and local runs), under the race detector; .ci/run runs it after `test`.
race:
	@npm_registry="$$(scripts/npm-test-registry.sh start)" && eval "$$npm_registry" && \
	trap 'scripts/npm-test-registry.sh stop' EXIT && \
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 20m ./runner/... ./npmvendor/... ./sync/... ./review/... ./localrun/...

bench:
	@vault="$$(scripts/vault-test-server.sh)" && \
	ACTIONSD_VAULT_TEST_SERVER="$$vault" $(GO) test -run '^$$' -bench . -benchmem ./...

vault-test-server:
	@scripts/vault-test-server.sh
