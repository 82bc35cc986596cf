package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
)

// notifyCounter is a Reconciler that counts Notify calls.
type notifyCounter struct{ n atomic.Int32 }

func (c *notifyCounter) Current() *runner.Generation               { return nil }
func (c *notifyCounter) Status() sync.Status                       { return sync.Status{} }
func (c *notifyCounter) Sync(context.Context) (sync.Status, error) { return sync.Status{}, nil }
func (c *notifyCounter) Notify()                                   { c.n.Add(1) }

func sign(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func TestHooks(t *testing.T) {
	const secret = "shh"
	push := `{"ref":"refs/heads/main","repository":{"clone_url":"https://elsewhere.example/x.git"}}`
	tests := []struct {
		name       string
		secret     string // the daemon's; "" disables
		path       string
		body       string
		header     map[string]string
		wantCode   int
		wantNotify bool
	}{
		{"github signed", secret, "/hooks/github", push, map[string]string{"X-Hub-Signature-256": sign(secret, push)}, 202, true},
		{"github bad signature", secret, "/hooks/github", push, map[string]string{"X-Hub-Signature-256": sign("other", push)}, 401, false},
		{"github signature of another body", secret, "/hooks/github", push, map[string]string{"X-Hub-Signature-256": sign(secret, push+" ")}, 401, false},
		{"github missing signature", secret, "/hooks/github", push, nil, 401, false},
		{"github not hex", secret, "/hooks/github", push, map[string]string{"X-Hub-Signature-256": "sha256=zz"}, 401, false},
		{"github sha1 only", secret, "/hooks/github", push, map[string]string{"X-Hub-Signature": "sha1=00"}, 401, false},
		{"github ping", secret, "/hooks/github", `{"zen":"x"}`, map[string]string{"X-Hub-Signature-256": sign(secret, `{"zen":"x"}`), "X-GitHub-Event": "ping"}, 200, false},
		{"github other branch ignored", secret, "/hooks/github", `{"ref":"refs/heads/feature"}`, map[string]string{"X-Hub-Signature-256": sign(secret, `{"ref":"refs/heads/feature"}`)}, 202, false},
		{"github release tag ignored", secret, "/hooks/github", `{"ref":"refs/tags/release-1"}`, map[string]string{"X-Hub-Signature-256": sign(secret, `{"ref":"refs/tags/release-1"}`)}, 202, false},
		{"github create event for a module tag", secret, "/hooks/github", `{"ref":"modules/m/v2","ref_type":"tag"}`, map[string]string{"X-Hub-Signature-256": sign(secret, `{"ref":"modules/m/v2","ref_type":"tag"}`)}, 202, true},
		{"gitlab token", secret, "/hooks/gitlab", `{"ref":"refs/tags/modules/m/v1"}`, map[string]string{"X-Gitlab-Token": secret}, 202, true},
		{"gitlab wrong token", secret, "/hooks/gitlab", push, map[string]string{"X-Gitlab-Token": "shh!"}, 401, false},
		{"generic signed without a ref", secret, "/hooks/generic", `anything`, map[string]string{"X-Signature": sign(secret, `anything`)}, 202, true},
		{"generic unsigned", secret, "/hooks/generic", push, nil, 401, false},
		{"disabled", "", "/hooks/github", push, map[string]string{"X-Hub-Signature-256": sign("", push)}, 404, false},
		{"too large", secret, "/hooks/generic", strings.Repeat("x", 2048), map[string]string{"X-Signature": sign(secret, strings.Repeat("x", 2048))}, 413, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &notifyCounter{}
			h := New(Config{Reconciler: rec, Token: "api-token", WebhookSecret: tt.secret, Branch: "main", MaxHookBody: 1024})
			req := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.wantCode {
				t.Errorf("got %d %s, want %d", w.Code, w.Body, tt.wantCode)
			}
			if got := rec.n.Load() > 0; got != tt.wantNotify {
				t.Errorf("notified: got %v, want %v", got, tt.wantNotify)
			}
		})
	}
}

func FuzzPushedRef(f *testing.F) {
	for _, s := range []string{`{"ref":"refs/heads/main"}`, `{"ref":"v1","ref_type":"tag"}`, `{"ref":1}`, `[]`, ``, `{"ref":"x","ref_type":"branch"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ref := pushedRef(body)
		if ref != "" && !strings.HasPrefix(ref, "refs/") {
			t.Errorf("pushedRef(%q) = %q, want a full ref or nothing", body, ref)
		}
		for _, recv := range receivers {
			req := httptest.NewRequest(http.MethodPost, "/", nil)
			req.Header.Set("X-Hub-Signature-256", string(body))
			req.Header.Set("X-Signature", string(body))
			req.Header.Set("X-Gitlab-Token", string(body))
			_, ok := recv.verify(req, body, []byte("secret"))
			if want := recv.name == "gitlab" && string(body) == "secret"; ok != want {
				t.Errorf("%s: verified %v for %q, want %v", recv.name, ok, body, want)
			}
			if _, pre := recv.precheck(req, []byte("secret")); ok && !pre {
				t.Errorf("%s: verified %q, but its headers failed the check made before the body is read", recv.name, body)
			}
		}
	})
}
