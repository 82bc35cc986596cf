# The test command (README): builds the in-process Vault test server once per machine into a cache
# outside the repository, then runs every test against it.
GO ?= go

.PHONY: test bench vault-test-server

test:
	@vault="$$(scripts/vault-test-server.sh)" && \
	ACTIONSD_VAULT_TEST_SERVER="$$vault" $(GO) test -count=1 -timeout 30m ./...

bench:
	@vault="$$(scripts/vault-test-server.sh)" && \
	ACTIONSD_VAULT_TEST_SERVER="$$vault" $(GO) test -run '^$$' -bench . -benchmem ./...

vault-test-server:
	@scripts/vault-test-server.sh
