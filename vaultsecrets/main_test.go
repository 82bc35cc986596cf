package vaultsecrets_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The Vault tests start child processes and HTTP connections: none may outlive the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
