package vaultsecrets

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestBackoffCappedWithJitter(t *testing.T) {
	b := newBackoff(100*time.Millisecond, time.Second)
	tests := []struct {
		give int
		want time.Duration // the delay before jitter
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond}, {4, 800 * time.Millisecond}, {5, time.Second}, {50, time.Second}}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := b.delay(tt.give)
			if d < tt.want/2 || d > tt.want {
				t.Fatalf("delay(%d): got %s, want within [%s, %s]", tt.give, d, tt.want/2, tt.want)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("delay(%d): got one value 50 times, want jitter", tt.give)
		}
	}
}

// TestCredentialTypesRedact covers the unexported types that carry a token or a secret_id.
func TestCredentialTypesRedact(t *testing.T) {
	const canary = "c4n4ry-credential"
	values := []any{
		tokenLease{token: canary, ttl: time.Minute, renewable: true},
		&tokenAuth{token: canary},
		&appRoleAuth{mount: "approle", roleID: canary, secretID: canary},
		&kubernetesAuth{mount: "kubernetes", role: "r", tokenPath: "/t"},
	}
	for _, v := range values {
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			if got := fmt.Sprintf(f, v); strings.Contains(got, canary) {
				t.Errorf("%T with %s: got %q, which holds the credential", v, f, got)
			}
		}
	}
	if got := (tokenLease{token: canary}).secret().Auth.ClientToken; got != canary {
		t.Errorf("secret(): got another token, want the lease's")
	}
}
