package npmvendor

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/lockfile"
)

func lockOwners(t testing.TB, f *fakeRegistry, owners map[string]map[string]string, prev *lockfile.Lock) (*Result, error) {
	t.Helper()
	r := &Resolver{Registries: f.registries(), Timeout: 2 * time.Second, Retries: 1}
	return r.Lock(context.Background(), owners, prev)
}

func TestResolveTree(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("a", "1.0.0", &fakePkg{manifest: map[string]any{"dependencies": map[string]string{"b": "^2.0.0", "inner": "1"},
		"bundleDependencies": []string{"inner"}}})
	f.add("a", "1.1.0", &fakePkg{manifest: map[string]any{"dependencies": map[string]string{"b": "^2.0.0"}}})
	f.add("b", "2.0.0", &fakePkg{})
	f.add("b", "2.3.0", &fakePkg{manifest: map[string]any{"dependencies": map[string]string{"c": "~1.0.0"}}})
	f.add("b", "3.0.0", &fakePkg{})
	f.add("c", "1.0.4", &fakePkg{manifest: map[string]any{"dependencies": map[string]string{"b": "2.x"}}}) // a cycle: b -> c -> b
	f.add("@scope/s", "1.0.0", &fakePkg{manifest: map[string]any{
		"optionalDependencies": map[string]string{"gone": "^1.0.0", "c": "1.0.4"},
		"peerDependencies":     map[string]string{"p": "^1.0.0", "q": "^1.0.0"},
		"peerDependenciesMeta": map[string]any{"q": map[string]bool{"optional": true}},
	}})
	f.add("p", "1.5.0", &fakePkg{})
	f.add("old", "1.0.0", &fakePkg{manifest: map[string]any{"deprecated": "use new"}})

	owners := map[string]map[string]string{
		"actions/one":    {"a": "1.0.0", "@scope/s": "latest", "old": "*"},
		"modules/logger": {"a": "^1.0.0", "b": "2.0.0"},
	}
	res, err := lockOwners(t, f, owners, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantPinned := map[string]map[string]string{
		"actions/one":    {"a": "1.0.0", "@scope/s": "1.0.0", "old": "1.0.0"},
		"modules/logger": {"a": "1.1.0", "b": "2.0.0"},
	}
	if !reflect.DeepEqual(res.Pinned, wantPinned) {
		t.Errorf("pinned: got %v, want %v", res.Pinned, wantPinned)
	}
	l := res.Lock
	wantOne := []string{"@scope/s@1.0.0", "a@1.0.0", "b@2.3.0", "c@1.0.4", "old@1.0.0", "p@1.5.0"}
	if got := l.Owners["actions/one"].Packages; !reflect.DeepEqual(got, wantOne) {
		t.Errorf("actions/one packages: got %v, want %v", got, wantOne)
	}
	// Two owners, two versions of b: the module's own 2.0.0 and a's 2.3.0.
	wantLogger := []string{"a@1.1.0", "b@2.0.0", "b@2.3.0", "c@1.0.4"}
	if got := l.Owners["modules/logger"].Packages; !reflect.DeepEqual(got, wantLogger) {
		t.Errorf("modules/logger packages: got %v, want %v", got, wantLogger)
	}
	a := l.Packages["a@1.0.0"]
	if !reflect.DeepEqual(a.Dependencies, map[string]string{"b": "2.3.0"}) || !reflect.DeepEqual(a.Bundled, []string{"inner"}) {
		t.Errorf("a@1.0.0: got deps %v bundled %v, want b@2.3.0 and bundled inner", a.Dependencies, a.Bundled)
	}
	if a.Tarball != "a/-/a-1.0.0.tgz" || !strings.HasPrefix(a.Integrity, "sha512-") {
		t.Errorf("a@1.0.0: got tarball %q integrity %q, want a registry-relative path and sha512", a.Tarball, a.Integrity)
	}
	s := l.Packages["@scope/s@1.0.0"]
	if !reflect.DeepEqual(s.OptionalDependencies, map[string]string{"c": "1.0.4"}) || s.PeerDependencies["p"] != "^1.0.0" {
		t.Errorf("@scope/s: got optional %v peers %v", s.OptionalDependencies, s.PeerDependencies)
	}
	if l.Packages["c@1.0.4"].Optional {
		t.Errorf("c@1.0.4 is also required (through b), got optional")
	}
	if l.Packages["old@1.0.0"].Deprecated != "use new" {
		t.Errorf("deprecation not recorded")
	}
	warnings := strings.Join(res.Warnings, "\n")
	for _, want := range []string{"old@1.0.0 is deprecated: use new", "optional dependency gone@^1.0.0 skipped"} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings: got %q, want %q", warnings, want)
		}
	}
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "127.0.0.1") || strings.Contains(string(data), "http") {
		t.Errorf("the lock names a registry host:\n%s", data)
	}

	// Locking again keeps what is locked; only "latest" is asked again.
	again, err := lockOwners(t, f, owners, l)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Pinned, wantPinned) {
		t.Errorf("relock pinned: got %v, want %v", again.Pinned, wantPinned)
	}
	pinned := map[string]map[string]string{"actions/one": wantPinned["actions/one"], "modules/logger": wantPinned["modules/logger"]}
	before := f.requests.Load()
	if _, err := lockOwners(t, f, pinned, l); err != nil {
		t.Fatal(err)
	}
	if n := f.requests.Load() - before; n != 0 {
		t.Errorf("relocking exact versions made %d registry requests, want 0", n)
	}
}

func TestResolveErrors(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("ok", "1.0.0", &fakePkg{})
	f.add("needs-missing", "1.0.0", &fakePkg{manifest: map[string]any{"dependencies": map[string]string{"ok": "^7"}}})
	tests := []struct {
		name    string
		give    map[string]string
		hook    func(w http.ResponseWriter, r *http.Request) bool
		wantErr string
	}{
		{name: "version does not exist", give: map[string]string{"ok": "9.9.9"}, wantErr: "actions/x: ok@9.9.9: version 9.9.9 does not exist (latest is 1.0.0)"},
		{name: "package does not exist", give: map[string]string{"nope": "1.0.0"}, wantErr: "actions/x: nope@1.0.0: package nope does not exist"},
		{name: "transitive unsatisfiable", give: map[string]string{"needs-missing": "1.0.0"}, wantErr: `needs-missing@1.0.0: ok@^7: no version satisfies "^7" (latest is 1.0.0)`},
		{name: "registry answers 500", give: map[string]string{"ok": "1.0.0"},
			hook:    func(w http.ResponseWriter, r *http.Request) bool { http.Error(w, "boom", 500); return true },
			wantErr: "actions/x: ok@1.0.0: registry answered 500 Internal Server Error"},
		{name: "registry times out", give: map[string]string{"ok": "1.0.0"},
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return true
			},
			wantErr: "actions/x: ok@1.0.0: no answer within 300ms"},
		{name: "malformed JSON", give: map[string]string{"ok": "1.0.0"},
			hook:    func(w http.ResponseWriter, r *http.Request) bool { w.Write([]byte(`{"versions": [`)); return true },
			wantErr: "actions/x: ok@1.0.0: malformed metadata from the registry"},
		{name: "git spec", give: map[string]string{"ok": "github:a/b"}, wantErr: `unsupported dependency spec "github:a/b"`},
		{name: "bad range", give: map[string]string{"ok": ">=>=1"}, wantErr: `actions/x: ok@>=>=1: invalid version range`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.mu.Lock()
			f.hook = tt.hook
			f.mu.Unlock()
			defer func() { f.mu.Lock(); f.hook = nil; f.mu.Unlock() }()
			r := &Resolver{Registries: f.registries(), Timeout: 300 * time.Millisecond, Retries: 1}
			prev := lockfile.New()
			prev.SetRecord("logger", 1, &lockfile.VersionRecord{Tree: "t"})
			_, err := r.Lock(context.Background(), map[string]map[string]string{"actions/x": tt.give}, prev)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if prev.Record("logger", 1) == nil || len(prev.Owners) != 0 {
				t.Errorf("a failed lock changed the previous lock")
			}
		})
	}
}

func TestResolveLimitsAndAuth(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("ok", "1.0.0", &fakePkg{})
	f.add("ok2", "1.0.0", &fakePkg{})
	r := &Resolver{Registries: f.registries(), MaxDependencies: 1}
	_, err := r.Lock(context.Background(), map[string]map[string]string{"modules/m": {"ok": "1.0.0", "ok2": "1.0.0"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "modules/m: 2 dependencies declared, the limit is 1") {
		t.Errorf("got %v, want the dependency limit error", err)
	}

	f.token = "s3cret"
	r = &Resolver{Registries: f.registries()}
	_, err = r.Lock(context.Background(), map[string]map[string]string{"modules/m": {"ok": "1.0.0"}}, nil)
	var re *RegistryError
	if !errors.As(err, &re) || re.Status != http.StatusUnauthorized {
		t.Errorf("without a token: got %v, want a 401", err)
	}
	regs := f.registries()
	regs.SetToken(f.url(), "s3cret")
	r = &Resolver{Registries: regs}
	if _, err := r.Lock(context.Background(), map[string]map[string]string{"modules/m": {"ok": "1.0.0"}}, nil); err != nil {
		t.Errorf("with the token: %v", err)
	}
}

func TestLoadRegistries(t *testing.T) {
	repo, home := t.TempDir(), t.TempDir()
	writeFile(t, repo+"/.npmrc", "@acme:registry=http://127.0.0.1:1/acme/\n//127.0.0.1:1/acme/:_authToken=${ACME_TOKEN}\n")
	writeFile(t, home+"/.npmrc", "registry=http://127.0.0.1:2/\n; comment\n//127.0.0.1:2/:_authToken=user-token\n@acme:registry=http://127.0.0.1:9/\n")
	env := map[string]string{"ACME_TOKEN": "t0k"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name       string
		opts       RegistryOptions
		env        map[string]string
		wantBase   string
		wantSource string
	}{
		{name: "config wins", opts: RegistryOptions{Registry: "http://127.0.0.1:3"}, env: map[string]string{"NPM_CONFIG_REGISTRY": "http://127.0.0.1:4/"}, wantBase: "http://127.0.0.1:3/", wantSource: "configuration"},
		{name: "environment", env: map[string]string{"NPM_CONFIG_REGISTRY": "http://127.0.0.1:4/"}, wantBase: "http://127.0.0.1:4/", wantSource: "NPM_CONFIG_REGISTRY"},
		{name: "user npmrc", wantBase: "http://127.0.0.1:2/", wantSource: home + "/.npmrc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env = map[string]string{"ACME_TOKEN": "t0k"}
			for k, v := range tt.env {
				env[k] = v
			}
			o := tt.opts
			o.RepoDir, o.UserNpmrc, o.Getenv, o.NoNpmCLI = repo, home+"/.npmrc", getenv, true
			r, err := LoadRegistries(o)
			if err != nil {
				t.Fatal(err)
			}
			if r.Default != tt.wantBase || r.Source != tt.wantSource {
				t.Errorf("got %s from %s, want %s from %s", r.Default, r.Source, tt.wantBase, tt.wantSource)
			}
			if got := r.For("@acme/x"); got != "http://127.0.0.1:1/acme/" {
				t.Errorf("scope: got %s, want the repository's @acme registry", got)
			}
			if got := r.authorization("http://127.0.0.1:1/acme/@acme%2fx"); got != "Bearer t0k" {
				t.Errorf("scope token: got %q", got)
			}
			if got := r.authorization("http://127.0.0.1:2/lodash"); got != "Bearer user-token" {
				t.Errorf("user token: got %q", got)
			}
		})
	}
	_, err := LoadRegistries(RegistryOptions{RepoDir: t.TempDir(), UserNpmrc: t.TempDir() + "/none", Getenv: func(string) string { return "" }, NoNpmCLI: true})
	if err == nil || !strings.Contains(err.Error(), "no npm registry configured") {
		t.Errorf("nothing configured: got %v", err)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
