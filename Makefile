# The test command (README): builds the in-process Vault test server once per machine into a cache
# outside the repository, then runs every test against it.
GO ?= go

.PHONY: test race bench fuzz vault-test-server kratos-test-server

# It also starts a local npm registry (Verdaccio, loopback, no uplink, auth on) seeded with
# testing/npm/fixtures, exports its URL and token to the tests, and stops it when the tests end.
test:
	@vault="$$(scripts/vault-test-server.sh)" && \
	npm_registry="$$(scripts/npm-test-registry.sh start)" && eval "$$npm_registry" && \
	trap 'scripts/npm-test-registry.sh stop' EXIT && \
	ACTIONSD_VAULT_TEST_SERVER="$$vault" $(GO) test -count=1 -timeout 30m ./...
	@# The Helm chart's tests, a module of their own (Helm and Kubernetes stay out of go.mod).
	cd deploy/helm/test && $(GO) test -count=1 -timeout 20m ./...
	@# The Kratos bridge against a real Ory Kratos (a module of its own), built once per machine
	@# into a cache outside the repository (a cold build takes many minutes: Kratos and SQLite's C).
	@kratos="$$(scripts/kratos-test-server.sh)" && \
	cd testing/kratos && ACTIONSD_KRATOS_TEST_SERVER="$$kratos" $(GO) test -count=1 -timeout 10m ./...

# The packages where goroutines share the most (chunk compiles, bundling, the resolver, the
# reconciler, validate and local runs), under the race detector; .ci/run runs it after `test`.
race:
	@npm_registry="$$(scripts/npm-test-registry.sh start)" && eval "$$npm_registry" && \
	trap 'scripts/npm-test-registry.sh stop' EXIT && \
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 20m ./runner/... ./npmvendor/... ./sync/... ./review/... ./localrun/...

bench:
	@vault="$$(scripts/vault-test-server.sh)" && \
	ACTIONSD_VAULT_TEST_SERVER="$$vault" $(GO) test -run '^$$' -bench . -benchmem ./...

# Every Fuzz* target of the repository in turn, FUZZTIME each (`make fuzz FUZZTIME=10m`); the
# targets are found in the test files, so a new one runs without editing this. A failing input
# is kept under the package's testdata/fuzz/, where `go test` then runs it as a seed. Minimising
# a new input may take 10 s, not the default minute that would eat a short run.
FUZZTIME ?= 1m
fuzz:
	@failed=""; \
	for dir in $$(grep -rl --include='*_test.go' --exclude-dir=third_party '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for name in $$(grep -hoE '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | cut -c6-); do \
	    echo "== $$dir $$name ($(FUZZTIME))"; \
	    $(GO) test "$$dir" -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s || failed="$$failed $$dir:$$name"; \
	  done; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz targets that failed:$$failed"; exit 1; fi

vault-test-server:
	@scripts/vault-test-server.sh

kratos-test-server:
	@scripts/kratos-test-server.sh
