// Package security holds the standing attack suite: every hole a hostile action, HTTP client,
// webhook sender, npm package or repository author was found to open, as a test that drives the
// public parts (runner.Build and Execute, the egress client, the built actionsd binary against a
// real git repository) the way the attacker did. It has no code of its own; see docs/security.md
// for the threat model these tests hold the daemon to.
package security
