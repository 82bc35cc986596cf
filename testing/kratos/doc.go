// Package kratos tests actionsd's Kratos bridge (POST /v1/bridges/kratos/{flow}) against a real Ory
// Kratos: a release built from the Go module proxy by scripts/kratos-test-server.sh (cached
// outside the repository), run with SQLite in memory and web hooks to a real `actionsd serve`
// binary that serves a git repository of actions. It is a module of its own so that its build
// and run stay out of the daemon's tests; it imports nothing but the standard library (Kratos
// is a separate process, spoken to over its public and admin HTTP APIs).
//
// Run it with `make test` (which builds Kratos first) or `cd testing/kratos && go test ./...`;
// ACTIONSD_KRATOS_TEST_SERVER names a Kratos binary to use instead of the script's.
package kratos
