package deploy

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain removes the binary deployBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
