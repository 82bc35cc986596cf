package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/sync"
)

// printStatus lists each object's npm packages with their locked versions, sorted.
func TestPrintStatusDependencies(t *testing.T) {
	st := sync.Status{
		Actions: []sync.ObjectStatus{{Name: "enrich", Trigger: "post-login", Version: "4e1d", State: "serving",
			Dependencies: map[string]string{"zod": "4.6.7", "axios": "1.21.1"}}},
		Modules: []sync.ObjectStatus{{Name: "logger", Version: "v2", State: "serving", Dependencies: map[string]string{"ms": "2.1.3"}}},
	}
	var out bytes.Buffer
	if err := printStatus(&out, st); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  npm: axios@1.21.1, zod@4.6.7\n", "  npm: ms@2.1.3\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status text lacks %q:\n%s", want, out.String())
		}
	}
}
